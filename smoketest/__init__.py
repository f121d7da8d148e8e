"""Smoke tests for a running Django site, served at an URL and rolled back."""

from smoketest.case import SmokeTest

__all__ = ["SmokeTest"]
__version__ = "2.0.0.dev0"
