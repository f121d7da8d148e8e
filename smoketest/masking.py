"""The documented import path of ``mask`` (also ``smoketest.mask``)."""

from smoketest.core.masking import mask

__all__ = ["mask"]
