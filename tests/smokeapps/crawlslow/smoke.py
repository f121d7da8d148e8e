from smoketest.checks import URLCrawlSmoke


class SlowCrawl(URLCrawlSmoke):
    roles = ["anonymous", "staff"]
    request_timeout = 0.5


class OutOfTime(URLCrawlSmoke):
    roles = ["anonymous", "staff"]
    request_timeout = None
    # It stops a tenth of its limit early to report: 0.3 s, enough on a loaded machine.
    timeout = 3
