"""Smoke tests for a running Django site, served at an URL and rolled back."""

from smoketest.case import SmokeTest, timeout

__all__ = ["SmokeTest", "timeout"]
__version__ = "2.0.0.dev0"
