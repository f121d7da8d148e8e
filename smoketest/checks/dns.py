"""The host names the site connects to resolve (standard library only)."""

import ipaddress
import socket
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import connections
from django.utils.module_loading import import_string

from smoketest.checks.base import BuiltinCheck, describe, seconds_until
from smoketest.core.masking import url_host
from smoketest.core.settings import smoketest_settings


class DNSSmoke(BuiltinCheck):
    """Each host in ``hosts`` resolves (``socket.getaddrinfo``) within
    ``resolve_timeout``, never past the test's time limit. By default, the
    hosts of ``SMOKETEST_PUBLIC_URL``, the databases, the network caches, the
    Celery broker (``CELERY_BROKER_URL``) and ``EMAIL_HOST`` (SMTP backend)."""

    tags = frozenset({"builtin", "dns"})
    #: Host names to resolve; ``None``: those the settings name (see above).
    hosts: Sequence[str] | None = None
    #: Seconds the lookups (all at once) may take.
    resolve_timeout: float = 2.0

    def test_hosts_resolve(self) -> None:
        hosts = settings_hosts() if self.hosts is None else {host: ["hosts"] for host in self.hosts}
        if not hosts:
            self.skipTest(
                "no host name to resolve: the settings name none (IP addresses need none); list them in hosts"
            )
        wait = min(self.resolve_timeout, seconds_until(self.report_deadline()))
        stop_at = time.monotonic() + wait
        lookups = {host: Lookup(host) for host in hosts}  # all under way before the first wait
        for host, where in hosts.items():
            with self.subTest(host=host):
                label = f"host {host!r} ({', '.join(where)})"
                lookup = lookups[host]
                if not lookup.done.wait(seconds_until(stop_at)):
                    self.fail(f"{label} did not resolve within {round(wait, 1):g} s")
                if lookup.error is not None:
                    self.fail(f"{label} did not resolve: {describe(lookup.error)}")


class Lookup:
    """``getaddrinfo(host)`` in a daemon thread of its own: a resolver that
    never answers is left behind, not waited for (it cannot be interrupted)."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.error: BaseException | None = None
        self.done = threading.Event()
        threading.Thread(target=self.resolve, name="smoketest-dns", daemon=True).start()

    def resolve(self) -> None:
        try:
            socket.getaddrinfo(self.host, None, proto=socket.IPPROTO_TCP)
        except BaseException as exc:  # reported by the test's thread
            self.error = exc
        finally:
            self.done.set()


def settings_hosts() -> dict[str, list[str]]:
    """The host names the settings connect to, each with the settings that name it."""
    found: dict[str, list[str]] = {}

    def add(hosts: Iterable[str | None], where: str) -> None:
        for host in hosts:
            if host and not _is_address(host):
                sources = found.setdefault(host.lower(), [])
                if where not in sources:
                    sources.append(where)

    if smoketest_settings.PUBLIC_URL:
        add([url_host(smoketest_settings.PUBLIC_URL)], "SMOKETEST_PUBLIC_URL")
    for alias, database in connections.settings.items():
        # libpq takes several hosts separated by commas; a path is a Unix socket.
        add(
            [host for host in str(database.get("HOST") or "").split(",") if not host.startswith("/")],
            f"DATABASES[{alias!r}]",
        )
    for alias, cache in settings.CACHES.items():
        add(map(_location_host, _split(cache.get("LOCATION"), ";,")), f"CACHES[{alias!r}]")
    broker = getattr(settings, "CELERY_BROKER_URL", None)
    add(map(url_host, _split(broker, ";")), "CELERY_BROKER_URL")
    if _is_smtp(settings.EMAIL_BACKEND):
        add([settings.EMAIL_HOST], "EMAIL_HOST")
    return found


def _split(value: Any, separators: str) -> list[str]:
    """A setting that holds one string, a list of them, or a string of several."""
    values = [value] if isinstance(value, str) else list(value or ())
    for separator in separators:
        values = [part.strip() for value in values for part in value.split(separator)]
    return [value for value in values if value]


def _location_host(location: str) -> str | None:
    """The host of a cache ``LOCATION``: a URL's, or ``host:port``'s; none for a
    path, a Unix socket or a name (local-memory caches)."""
    if "://" in location:
        return None if location.startswith("unix://") else url_host(location)
    host, colon, port = location.rpartition(":")
    if not colon or not port.isdigit():
        return None
    return host.strip("[]")


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _is_smtp(backend: str) -> bool:
    try:
        return issubclass(import_string(backend), SMTPBackend)
    except ImportError:
        return False  # EmailSmoke reports a backend that cannot be imported
