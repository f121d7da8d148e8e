"""How much of a result one caller is shown."""

import functools
from dataclasses import dataclass

from smoketest.core.settings import smoketest_settings


@dataclass(frozen=True)
class Disclosure:
    """How much of a result one caller is shown."""

    names: bool = True
    tracebacks: bool = False

    @classmethod
    def of(cls, *, trusted: bool) -> "Disclosure":
        """What token holders and staff (``trusted``), or anyone else, see."""
        return _disclosure(
            trusted or smoketest_settings.PUBLIC_DETAIL != "summary", trusted or smoketest_settings.show_tracebacks
        )


@functools.cache
def _disclosure(names: bool, tracebacks: bool) -> Disclosure:
    """One of the four there are (made once: a poll needs one)."""
    return Disclosure(names, tracebacks)
