from smoketest.checks import URLCrawlSmoke


class Crawl(URLCrawlSmoke):
    roles = ["anonymous", "authenticated", "staff", "superuser"]
    skip = ["danger", "/private/*", "shop:*"]
