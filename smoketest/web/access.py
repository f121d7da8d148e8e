"""Who may run the smoke tests, how often, and how much they are told."""

import functools
import hmac
from typing import Any

from django.http import HttpRequest
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework.request import Request
from rest_framework.settings import api_settings

from smoketest.core.settings import smoketest_settings
from smoketest.reports.disclosure import Disclosure

TOKEN_HEADER = "HTTP_X_SMOKETEST_TOKEN"
#: Wrong tokens one client address may present (``smoketest_token`` scope of ``SMOKETEST_THROTTLE_RATES``).
FAILED_TOKEN_RATE = "10/hour"


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
    """Accepts ``SMOKETEST_TOKEN``; a wrong token is refused outright (403).
    An address that presented too many wrong tokens is refused any token
    (429) until its oldest failure is an hour old (``FailedTokenThrottle``)."""

    def authenticate(self, request: Request) -> tuple[Any, TokenGrant] | None:
        accepted = smoketest_settings.tokens
        presented = presented_token(request)
        if not accepted or presented is None:
            return None
        failures = FailedTokenThrottle()
        if not failures.allow_request(request, None):
            raise exceptions.Throttled(failures.wait())
        if not token_matches(presented, accepted):
            failures.count_failure()
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


def client_address(request: HttpRequest | Request) -> str:
    """The address throttles key on: ``REMOTE_ADDR``, the address Django
    sees. ``X-Forwarded-For`` only counts when DRF's ``NUM_PROXIES`` says how
    many proxies in front of the site append to it (DRF's ``get_ident``)."""
    if api_settings.NUM_PROXIES is None:
        return str(request.META.get("REMOTE_ADDR", ""))
    return str(throttling.BaseThrottle().get_ident(request))


class SmoketestRateThrottle(throttling.SimpleRateThrottle):
    """Limits each client address to the ``smoketest`` rate of ``SMOKETEST_THROTTLE_RATES``."""

    scope = "smoketest"

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}


class FailedTokenThrottle(SmoketestRateThrottle):
    """Counts the wrong tokens of each client address: ``allow_request``
    only looks, ``count_failure`` counts one. Its rate is the
    ``smoketest_token`` scope of ``SMOKETEST_THROTTLE_RATES`` (default
    ``FAILED_TOKEN_RATE``; it cannot be turned off)."""

    scope = "smoketest_token"

    def get_rate(self) -> str:
        return smoketest_settings.THROTTLE_RATES.get(self.scope) or FAILED_TOKEN_RATE

    def throttle_success(self) -> bool:
        return True  # a token that is yet to be compared counts for nothing

    def count_failure(self) -> None:
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)


def rated(cls: Any) -> Any:
    """``cls`` reading its rate from ``SMOKETEST_THROTTLE_RATES`` (over DRF's
    own) and keying on ``client_address`` unless it has a ``get_ident`` of its own."""
    rates = tuple(sorted({**api_settings.DEFAULT_THROTTLE_RATES, **smoketest_settings.THROTTLE_RATES}.items()))
    return _rated(cls, rates)


@functools.cache
def _rated(cls: Any, rates: tuple[tuple[str, str | None], ...]) -> Any:
    overrides: dict[str, Any] = {}
    if issubclass(cls, throttling.SimpleRateThrottle):
        overrides["THROTTLE_RATES"] = dict(rates)
    if cls.get_ident is throttling.BaseThrottle.get_ident:
        overrides["get_ident"] = lambda self, request: client_address(request)
    return type(cls.__name__, (cls,), overrides) if overrides else cls


def disclosure_for(request: Request) -> Disclosure:
    """What this caller is shown: token holders and staff see everything."""
    return Disclosure.of(trusted=request.auth is TOKEN_GRANT or bool(getattr(request.user, "is_staff", False)))
