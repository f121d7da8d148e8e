"""The documented import path of the access classes (``SMOKETEST_*_CLASSES``)."""

from smoketest.web.access import (
    FailedTokenThrottle,
    HasSmoketestToken,
    SmoketestRateThrottle,
    SmoketestTokenAuthentication,
)

__all__ = ["FailedTokenThrottle", "HasSmoketestToken", "SmoketestRateThrottle", "SmoketestTokenAuthentication"]
