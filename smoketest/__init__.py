"""Smoke tests for a running Django site, served at an URL and rolled back."""

from smoketest.case import SmokeTest, timeout
from smoketest.tags import tag

__all__ = ["SmokeTest", "tag", "timeout"]
__version__ = "2.0.0.dev0"
