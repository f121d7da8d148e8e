"""The HTTP services the site depends on answer as expected (standard library only)."""

import base64
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from smoketest import __version__
from smoketest.checks.base import BuiltinCheck, describe, mask_password, seconds_until
from smoketest.checks.deadline import DeadlineExceeded, deadline

#: Most bytes of a body read (and searched for ``contains``).
READ_LIMIT = 1_000_000
USER_AGENT = f"django-smoketest/{__version__}"
METHODS = ("GET", "HEAD")


@dataclass(frozen=True)
class Answer:
    """What a server answered: status, the start of the body, ``Location``."""

    status: int
    body: bytes
    charset: str
    location: str | None
    #: The URL that answered: the one requested unless redirects were followed.
    url: str

    @property
    def text(self) -> str:
        return self.body.decode(self.charset, errors="replace")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx answer is raised as an HTTPError: an answer like any other


_openers = {False: urllib.request.build_opener(_NoRedirects), True: urllib.request.build_opener()}


def fetch(
    url: str,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    timeout: float,
    follow_redirects: bool = False,
) -> Answer:
    """Request ``url`` once. Redirects are not followed unless asked, and an
    error status is an answer, not an exception; at most ``READ_LIMIT`` bytes
    of the body are read. ``timeout`` bounds the connection and each read, not the total.
    Credentials in the URL (``https://user:password@host/``) are sent as
    basic authentication."""
    sent = {"User-Agent": USER_AGENT}
    parts = urlsplit(url)
    if parts.username is not None:
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        sent["Authorization"] = f"Basic {base64.b64encode(credentials).decode()}"
        url = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    request = urllib.request.Request(url, method=method, headers={**sent, **(headers or {})})
    try:
        response = _openers[follow_redirects].open(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        response = error
    try:
        return Answer(
            status=response.status,
            body=response.read(READ_LIMIT) if method != "HEAD" else b"",
            charset=response.headers.get_content_charset() or "utf-8",
            location=response.headers.get("Location"),
            url=response.url,
        )
    finally:
        response.close()


@dataclass(frozen=True)
class Dependency:
    """One entry of ``HTTPDependencySmoke.dependencies``."""

    name: str
    url: str
    expected_status: int = 200
    contains: str | None = None
    method: str = "GET"
    headers: Mapping[str, str] = field(default_factory=dict)
    timeout: float | None = None  # None: the check's request_timeout

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, not {self.method!r}")
        if self.contains is not None and self.method == "HEAD":
            raise ValueError("contains needs a body: use method 'GET'")
        if self.timeout is not None and not self.timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds, not {self.timeout!r}")

    @classmethod
    def from_entry(cls, entry: "tuple[str, str] | Mapping[str, Any]") -> "Dependency":
        try:
            if isinstance(entry, Mapping):
                return cls(**entry)
            name, url = entry
            return cls(name, url)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"dependency {entry!r} is not valid: {exc}") from exc

    @property
    def label(self) -> str:
        return f"dependency {self.name!r} ({self.method} {mask_password(self.url)})"


class HTTPDependencySmoke(BuiltinCheck):
    """Each service in ``dependencies`` answers its health URL with the
    expected status (and text) within its timeout. One request each, no
    retry, no redirect followed."""

    tags = frozenset({"builtin", "http"})
    #: ``(name, url)`` pairs, or dicts with ``name``, ``url`` and optionally
    #: ``expected_status`` (200), ``contains``, ``method`` (``"GET"`` or
    #: ``"HEAD"``), ``headers`` and ``timeout``.
    dependencies: Sequence["tuple[str, str] | Mapping[str, Any]"] = ()
    #: Seconds a request may take when its entry sets no ``timeout``.
    request_timeout: float = 5.0

    def test_dependencies_answer(self) -> None:
        if not self.dependencies:
            self.skipTest("no dependency to check: list them in dependencies")
        dependencies = [Dependency.from_entry(entry) for entry in self.dependencies]
        stop_at = self.report_deadline()
        for dependency in dependencies:
            with self.subTest(dependency=dependency.name):
                self.check(dependency, min(dependency.timeout or self.request_timeout, seconds_until(stop_at)))

    def check(self, dependency: Dependency, seconds: float) -> None:
        label = dependency.label
        if seconds <= 0:
            self.fail(f"{label} was not requested: the test's time limit is spent")
        started = time.monotonic()
        try:
            # The timeout bounds each socket operation; the deadline, the whole request.
            with deadline(seconds):
                answer = fetch(dependency.url, method=dependency.method, headers=dependency.headers, timeout=seconds)
        except DeadlineExceeded:
            self.fail(f"{label}: no answer within {seconds:g} s")
        except Exception as exc:
            if _timed_out(exc):
                self.fail(f"{label}: no answer within {seconds:g} s ({describe(exc)})")
            self.fail(f"{label}: failed after {time.monotonic() - started:.2f} s: {describe(exc)}")
        answered = f"{label}: answered {answer.status} in {time.monotonic() - started:.2f} s"
        if answer.status != dependency.expected_status:
            redirect = f" (redirect to {answer.location})" if answer.location else ""
            self.fail(f"{answered}{redirect}, expected {dependency.expected_status}")
        if dependency.contains is not None and dependency.contains not in answer.text:
            self.fail(f"{answered} without {dependency.contains!r} in the body")


def _timed_out(exc: Exception) -> bool:
    return isinstance(exc, TimeoutError) or isinstance(getattr(exc, "reason", None), TimeoutError)
