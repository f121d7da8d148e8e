from smoketest.checks import PostSmoke

__all__ = ["PostSmoke"]
