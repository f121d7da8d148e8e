from smoketest.checks import URLCrawlSmoke

__all__ = ["URLCrawlSmoke"]
