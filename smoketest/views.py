"""The documented import path of the view: ``smoketest.views.SmokeTestView``."""

from smoketest.web.views import SmokeTestView, ping

__all__ = ["SmokeTestView", "ping"]
