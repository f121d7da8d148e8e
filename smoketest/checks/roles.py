"""What the request checks share: a test client per role, its user created
inside the test's rolled-back transaction, and each request run in a
rolled-back savepoint under a time limit."""

import logging
import math
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections, models, router
from django.test import Client

from smoketest import rolled_back
from smoketest.checks.base import BuiltinCheck, describe, seconds_until, unique_name
from smoketest.checks.deadline import DeadlineExceeded, deadline
from smoketest.checks.routes import Route, parameterless_routes
from smoketest.core.case import time_limit

# Role -> (is_staff, is_superuser) of the user created for it.
ROLE_FLAGS = {"authenticated": (False, False), "staff": (True, False), "superuser": (True, True)}
ANONYMOUS = "anonymous"
# Set in the WSGI environ of every request the checks make.
CRAWL_MARK = "smoketest.crawl"

# visit(client, route, role) -> what went wrong, or "".
Visit = Callable[[Client, Route, str], str]


class CrawlStopped(Exception):
    """The requests cannot go on: one timed out or left a database unusable."""


class RoleRequestsCheck(BuiltinCheck):
    """Base of the checks that request the site's routes under several roles;
    it has no tests of its own."""

    #: ``anonymous``, ``authenticated``, ``staff``, ``superuser``, or your own
    #: names when ``make_user`` is overridden.
    roles: Sequence[str] = (ANONYMOUS, "authenticated", "staff", "superuser")
    #: Routes not to request: names (``"admin:*"``, ``"logout"``) or paths
    #: (``"/api/*"``), with ``*`` wildcards.
    skip: Sequence[str] = ()
    #: Seconds one request may take (``None``: no limit); the check stops at
    #: the first request over it.
    request_timeout: float | None = 10.0
    #: Seconds the whole check may take (instead of ``SMOKETEST_TIMEOUT``). It
    #: stops itself just before, and reports what it found and what it left.
    timeout: float | None = 30.0
    #: Host header; ``None`` takes the first usable ``ALLOWED_HOSTS`` entry.
    host: str | None = None
    #: Request over HTTPS (and through ``SECURE_PROXY_SSL_HEADER`` when set),
    #: as the site is reached in production.
    secure: bool = True
    #: Most failures listed in the message.
    listed: int = 20

    # When the test's own time limit is (almost) spent.
    _stop_at: float = math.inf
    # Role -> the user its client logged in as (None: anonymous).
    _role_users: dict[str, Any]

    def routes(self) -> list[Route]:
        """The routes without URL parameters that ``skip`` leaves."""
        return [route for route in parameterless_routes() if not route.matches(self.skip)]

    def visit_routes(self, routes: Sequence[Route], visit: Visit) -> None:
        """``visit`` every route under every role, checking after each request
        that a role's client is still logged in as its user (a site that ends
        the session would leave the rest of the role's requests anonymous);
        fail listing what went wrong and how many requests each role made."""
        self.quiet_client_errors()
        self._stop_at = self.report_deadline()
        self._role_users = {}
        total = len(routes) * len(self.roles)
        failures: list[str] = []
        made = dict.fromkeys(self.roles, 0)
        try:
            for role in self.roles:
                client = self.client_for(role)
                for index, route in enumerate(routes):
                    if time.monotonic() >= self._stop_at:
                        raise CrawlStopped(f"out of time: the test's time limit ({self._limit_text()}) is spent")
                    made[role] += 1
                    failure = visit(client, route, role)
                    if failure:
                        failures.append(failure)
                    if not self.still_logged_in(client, role):
                        failures.append(
                            f"{route.label} as {role}: the site ended the role's session (it is no longer logged "
                            f"in as its user), so its {len(routes) - index - 1} remaining requests were not made; "
                            "skip the route if it logs out on purpose"
                        )
                        break
        except CrawlStopped as stop:
            failures += [str(stop), f"stopped: {total - sum(made.values())} of {total} requests not made"]
        if failures:
            shown = "; ".join(failures[: self.listed])
            rest = len(failures) - self.listed
            more = f"; and {rest} more" if rest > 0 else ""
            per_role = ", ".join(f"{role} {count}" for role, count in made.items())
            self.fail(f"{len(failures)} problems in {total} requests (made as {per_role}): {shown}{more}")

    def still_logged_in(self, client: Client, role: str) -> bool:
        """Whether the next request of ``client`` runs as the role's user
        (always true for a role without one)."""
        user = vars(self).get("_role_users", {}).get(role)
        if user is None:
            return True
        return client.session.get(SESSION_KEY) == user._meta.pk.value_to_string(user)

    def attempt(self, label: str, action: Callable[[], str]) -> str:
        """Run ``action`` (requests through a client) in a savepoint that is
        rolled back, so that no request sees another's writes or a transaction
        another broke, within ``request_timeout``. Return what went wrong, or
        ``""``; raise ``CrawlStopped`` when no further request can be made."""
        aliases = [alias for alias in connections if connections[alias].in_atomic_block]
        seconds = min(self.request_timeout or math.inf, seconds_until(self._stop_at))
        limit = deadline(seconds) if seconds < math.inf else nullcontext()
        try:
            with rolled_back(aliases), limit:
                problem = action()
        except DeadlineExceeded:
            # The request may have been interrupted mid-query: stop here.
            if seconds == self.request_timeout:
                raise CrawlStopped(f"{label}: timed out after {seconds:g} s")
            raise CrawlStopped(f"{label}: interrupted at the test's time limit ({self._limit_text()})")
        except Exception as exc:
            problem = f"{label}: {describe(exc)}"
        finally:
            _reconnect_connection_signals()
        unusable = [alias for alias in aliases if connections[alias].needs_rollback]
        if unusable:
            raise CrawlStopped(f"{problem or label}; after it database {', '.join(map(repr, unusable))} was unusable")
        return problem

    def _limit_text(self) -> str:
        return f"{time_limit(type(self), self._testMethodName):g} s: raise timeout to allow more"

    def get(self, client: Client, path: str) -> Any:
        response = client.get(path, secure=self.secure, **self.extra_environ())
        _close(response)
        return response

    def post(self, client: Client, path: str, data: dict[str, Any]) -> Any:
        response = client.post(path, data, secure=self.secure, **self.extra_environ())
        _close(response)
        return response

    def client_for(self, role: str) -> Client:
        client = Client(HTTP_HOST=self.request_host())
        with self.failing_as(f"could not log in as {role}"):
            user = self.make_user(role)
            if user is not None:
                client.force_login(user)
        vars(self).setdefault("_role_users", {})[role] = user
        # The session may live in a cache or in files, which no rollback undoes.
        self.addCleanup(client.logout)
        return client

    def make_user(self, role: str) -> Any:
        """The user a role's requests run as (``None`` for anonymous), created
        inside the test's transaction. Override for custom roles or a user
        model whose manager's ``create_user`` differs from Django's."""
        if role == ANONYMOUS:
            return None
        if role not in ROLE_FLAGS:
            known = ", ".join((ANONYMOUS, *ROLE_FLAGS))
            raise ValueError(f"unknown role {role!r}: use {known}, or override make_user")
        user_model = get_user_model()
        alias = router.db_for_write(user_model)
        self.require_rolled_back(alias, f"create a user for role {role!r}")
        is_staff, is_superuser = ROLE_FLAGS[role]
        name = unique_name(f"smoketest-{role}-")
        fields = {user_model.USERNAME_FIELD: name}
        for field_name in user_model.REQUIRED_FIELDS:
            field = user_model._meta.get_field(field_name)
            fields[field_name] = f"{name}@example.invalid" if isinstance(field, models.EmailField) else name
        manager = user_model._default_manager.db_manager(alias)
        return manager.create_user(**fields, password=None, is_staff=is_staff, is_superuser=is_superuser)

    def request_host(self) -> str:
        if self.host:
            return self.host
        for entry in settings.ALLOWED_HOSTS:
            host = entry.lstrip(".")  # ".example.com" allows example.com itself
            if host and "*" not in host:
                return host
        return "localhost"

    def extra_environ(self) -> dict[str, Any]:
        environ: dict[str, Any] = {CRAWL_MARK: True}
        proxy_header = settings.SECURE_PROXY_SSL_HEADER
        if self.secure and proxy_header:
            environ[proxy_header[0]] = proxy_header[1]
        return environ

    def quiet_client_errors(self) -> None:
        """Keep the 4xx answers the requests provoke (403 for anonymous...)
        out of the ``django.request`` log while they run; server errors are
        still logged, and other requests are untouched."""
        logger = logging.getLogger("django.request")
        quiet = _QuietCrawl()
        logger.addFilter(quiet)
        self.addCleanup(logger.removeFilter, quiet)


class _QuietCrawl(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        return record.levelno >= logging.ERROR or not getattr(request, "META", {}).get(CRAWL_MARK)


def _reconnect_connection_signals() -> None:
    """The test client disconnects ``close_old_connections`` around parts of a
    request; an interrupted request may not have connected it back, which
    would leave this process without it. Connecting is idempotent."""
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _close(response: Any) -> None:
    """Close a streaming response without reading it (it may never end), as
    the test client closes the others: without letting ``request_finished``
    close the test's database connections."""
    if response.streaming:
        request_finished.disconnect(close_old_connections)
        try:
            response.close()
        finally:
            request_finished.connect(close_old_connections)
