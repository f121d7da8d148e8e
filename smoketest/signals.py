"""The documented import path of the ``run_finished`` signal."""

from smoketest.core.signals import run_finished

__all__ = ["run_finished"]
