"""How much of a result one caller is shown."""

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
        return cls(
            trusted or smoketest_settings.PUBLIC_DETAIL != "summary", trusted or smoketest_settings.show_tracebacks
        )
