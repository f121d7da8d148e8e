from smoketest.checks import SitesSmoke

__all__ = ["SitesSmoke"]
