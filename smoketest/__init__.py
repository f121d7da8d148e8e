"""Smoke tests for a running Django site, served at an URL and rolled back.

The public API: what a ``smoke`` module (and the built-in checks) import."""

from smoketest.core.case import NoFix, SmokeTest, timeout
from smoketest.core.masking import mask
from smoketest.core.tags import tag
from smoketest.engine.isolation import rolled_back

__all__ = ["NoFix", "SmokeTest", "mask", "rolled_back", "tag", "timeout"]
__version__ = "2.0.0.dev0"
