"""The HTTP services the site depends on answer as expected (standard library only)."""

import base64
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from smoketest import __version__
from smoketest.checks.base import BuiltinCheck, describe, seconds_until
from smoketest.checks.deadline import DeadlineExceeded, deadline
from smoketest.core.masking import mask, password_is_unescaped, register, url_secrets

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
    basic authentication (a password holding ``/``, ``?`` or ``#`` must be
    percent-encoded: it is refused otherwise)."""
    if password_is_unescaped(url):
        raise ValueError("the URL's password holds an unescaped '/', '?' or '#': percent-encode it")
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
        if not isinstance(self.name, str) or not isinstance(self.url, str):
            raise ValueError("name and url must be strings")
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}")
        if self.contains is not None and self.method == "HEAD":
            raise ValueError("contains needs a body: use method 'GET'")
        if self.timeout is not None and not (isinstance(self.timeout, (int, float)) and self.timeout > 0):
            raise ValueError("timeout must be a positive number of seconds")
        if not isinstance(self.headers, Mapping):
            raise ValueError("headers must be a dict")

    @classmethod
    def from_entry(cls, entry: "tuple[str, str] | Mapping[str, Any]", number: int) -> "Dependency":
        """The dependency of entry ``number`` (from 1). An invalid entry is a
        ``ValueError`` that names it and what is wrong, never its values."""
        if isinstance(entry, Mapping):
            name = entry.get("name")
            label = f"dependency {number}" + (f" ({name!r})" if isinstance(name, str) else "")
            unknown = sorted(str(key) for key in entry if key not in FIELDS)
            missing = [key for key in ("name", "url") if key not in entry]
            if unknown or missing:
                problems = [f"unknown key {key!r}" for key in unknown] + [f"no {key!r}" for key in missing]
                raise ValueError(f"{label} is not valid: {', '.join(problems)} (keys: {', '.join(FIELDS)})")
            arguments: dict[str, Any] = dict(entry)
        elif isinstance(entry, (tuple, list)) and len(entry) == 2:
            label, arguments = f"dependency {number}", {"name": entry[0], "url": entry[1]}
        else:
            raise ValueError(f"dependency {number} is not valid: use a (name, url) pair or a dict")
        try:
            return cls(**arguments)
        except ValueError as exc:
            raise ValueError(f"{label} is not valid: {exc}") from None

    @property
    def label(self) -> str:
        return f"dependency {self.name!r} ({self.method} {mask(self.url)})"


FIELDS = tuple(spec.name for spec in fields(Dependency))


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
        register(_entry_secrets(self.dependencies))
        dependencies = [Dependency.from_entry(entry, number) for number, entry in enumerate(self.dependencies, 1)]
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


def _entry_secrets(entries: Sequence[Any]) -> list[str]:
    """The URL passwords and header values of ``entries``, valid ones or not
    (a health check's header is as likely an API key as anything else)."""
    secrets = []
    for entry in entries:
        values: Iterable[Any]
        if isinstance(entry, Mapping):
            values = entry.values()
            secrets += [value for headers in values if isinstance(headers, Mapping) for value in headers.values()]
        else:
            values = entry if isinstance(entry, (tuple, list)) else ()
        secrets += [secret for value in values if isinstance(value, str) for secret in url_secrets(value)]
    return [str(secret) for secret in secrets]


def _timed_out(exc: Exception) -> bool:
    return isinstance(exc, TimeoutError) or isinstance(getattr(exc, "reason", None), TimeoutError)
