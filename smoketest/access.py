"""Who may run the smoke tests, how often, and how much they are told."""

import functools
import hmac
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework.request import Request
from rest_framework.settings import api_settings

from smoketest.conf import smoketest_settings

TOKEN_HEADER = "HTTP_X_SMOKETEST_TOKEN"


class TokenGrant:
    """``request.auth`` of a caller that presented a valid ``SMOKETEST_TOKEN``."""


TOKEN_GRANT = TokenGrant()


def presented_token(request: HttpRequest) -> str | None:
    """The token in ``Authorization: Bearer <token>`` or ``X-Smoketest-Token``."""
    scheme, _, credentials = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return request.META.get(TOKEN_HEADER) or None


def token_matches(presented: str, accepted: list[str]) -> bool:
    """Compare against every accepted token in constant time (no early exit)."""
    matches = [hmac.compare_digest(presented.encode(), token.encode()) for token in accepted]
    return any(matches)


class SmoketestTokenAuthentication(authentication.BaseAuthentication):
    """Accepts ``SMOKETEST_TOKEN``; a wrong token is refused outright (403)."""

    def authenticate(self, request: Request) -> tuple[Any, TokenGrant] | None:
        accepted = smoketest_settings.tokens
        presented = presented_token(request)
        if not accepted or presented is None:
            return None
        if not token_matches(presented, accepted):
            raise exceptions.PermissionDenied("Invalid smoke test token.")
        unauthenticated = api_settings.UNAUTHENTICATED_USER
        return (unauthenticated() if unauthenticated else None), TOKEN_GRANT

    def authenticate_header(self, request: Request) -> str | None:
        return 'Bearer realm="smoketest"' if smoketest_settings.tokens else None


class HasSmoketestToken(permissions.BasePermission):
    """With ``SMOKETEST_TOKEN`` set, only token holders may run the tests (401 otherwise)."""

    message = "A smoke test token is required."

    def has_permission(self, request: Request, view: Any) -> bool:
        return not smoketest_settings.tokens or request.auth is TOKEN_GRANT


class SmoketestRateThrottle(throttling.AnonRateThrottle):
    """Limits each client address to the ``smoketest`` rate of ``SMOKETEST_THROTTLE_RATES``."""

    scope = "smoketest"

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def throttles() -> list[throttling.BaseThrottle]:
    """Instances of ``SMOKETEST_THROTTLE_CLASSES`` that read their rates
    from ``SMOKETEST_THROTTLE_RATES`` (over DRF's own)."""
    rates = tuple(sorted({**api_settings.DEFAULT_THROTTLE_RATES, **smoketest_settings.THROTTLE_RATES}.items()))
    return [_with_rates(cls, rates)() for cls in smoketest_settings.THROTTLE_CLASSES]


@functools.cache
def _with_rates(cls: type[throttling.BaseThrottle], rates: tuple[tuple[str, str | None], ...]) -> type:
    if not issubclass(cls, throttling.SimpleRateThrottle):
        return cls
    return type(cls.__name__, (cls,), {"THROTTLE_RATES": dict(rates)})


@dataclass(frozen=True)
class Disclosure:
    """How much of a result one caller is shown."""

    names: bool = True
    tracebacks: bool = False

    @classmethod
    def for_request(cls, request: Request) -> "Disclosure":
        return cls.of(trusted=request.auth is TOKEN_GRANT or bool(getattr(request.user, "is_staff", False)))

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


def disclosure_by_headers(request: HttpRequest) -> Disclosure | None:
    """What DRF would let ``request`` see, when its headers alone decide it:
    no permission or throttle classes, session authentication at most, and a
    caller that is anonymous or holds a valid token (where one is needed).
    None when DRF's authentication, permissions or throttles must decide,
    or would refuse the request."""
    if (
        smoketest_settings.PERMISSION_CLASSES
        or smoketest_settings.THROTTLE_CLASSES
        or any(cls is not authentication.SessionAuthentication for cls in smoketest_settings.AUTHENTICATION_CLASSES)
    ):
        return None
    user = getattr(request, "user", None)  # set by AuthenticationMiddleware, from the session
    if user is not None and user.is_authenticated:
        return None
    accepted = smoketest_settings.tokens
    if not accepted:
        return Disclosure.of(trusted=False)
    presented = presented_token(request)
    return Disclosure.of(trusted=True) if presented and token_matches(presented, accepted) else None
