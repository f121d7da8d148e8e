from smoketest.checks import URLCrawlSmoke


class SlowCrawl(URLCrawlSmoke):
    roles = ["anonymous", "staff"]
    request_timeout = 0.5


class OutOfTime(URLCrawlSmoke):
    roles = ["anonymous", "staff"]
    request_timeout = None
    timeout = 1.5
