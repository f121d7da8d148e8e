"""The site as its visitors reach it: through ``SMOKETEST_PUBLIC_URL``, over
the network, behind the load balancer, proxy and CDN."""

import time
from collections.abc import Sequence
from urllib.error import URLError
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.shortcuts import resolve_url
from django.templatetags.static import static

from smoketest.checks.base import BuiltinCheck, describe
from smoketest.checks.http import Answer, fetch
from smoketest.core.case import time_limit
from smoketest.core.masking import register, url_secrets
from smoketest.core.settings import smoketest_settings

REFUSED = (401, 403)


class PublicURLSmoke(BuiltinCheck):
    """Request the site at ``SMOKETEST_PUBLIC_URL`` from outside, with the
    standard library: the home page answers 2xx, ``static_path`` is served,
    and every path in ``auth_required`` refuses an anonymous request (401,
    403 or a redirect to the login page). Skipped when the setting is unset."""

    tags = frozenset({"builtin", "http", "public"})
    #: A static file to fetch: relative to ``STATIC_URL`` through the static
    #: files storage (``"css/site.css"``, hashed names included), or a path from
    #: the site's root (``"/robots.txt"``). ``None``: not checked.
    static_path: str | None = None
    #: Paths (relative to ``SMOKETEST_PUBLIC_URL``) an anonymous request must
    #: not get: ``["/api/users/", "/admin/"]``. Redirects are not followed.
    auth_required: Sequence[str] = ()
    #: Where a refused request may be redirected; ``None``: ``settings.LOGIN_URL``
    #: (a URL name is reversed). A query string (``?next=``) is allowed.
    login_url: str | None = None
    #: Seconds one request may take; each gets at most what is left of the
    #: test's own time limit.
    request_timeout: float = 10.0

    _stop_at: float = 0.0

    def setUp(self) -> None:
        if not smoketest_settings.PUBLIC_URL:
            self.skipTest("SMOKETEST_PUBLIC_URL is not set")
        register(url_secrets(smoketest_settings.PUBLIC_URL))
        limit = time_limit(type(self), self._testMethodName)
        self._stop_at = time.monotonic() + limit - min(1.0, limit / 10)  # time left to report

    def test_home_page_answers(self) -> None:
        self.expect_success(self.url(""))

    def test_static_file_is_served(self) -> None:
        if not self.static_path:
            self.skipTest("static_path is not set")
        self.expect_success(self.static_url(self.static_path), ": static files are not served there")

    def test_private_paths_refuse_anonymous_requests(self) -> None:
        if not self.auth_required:
            self.skipTest("auth_required is empty")
        login = self.url(resolve_url(self.login_url or settings.LOGIN_URL))
        problems = []
        for path in self.auth_required:
            url = self.url(path)
            answer = self.fetch(url, follow_redirects=False)
            status, location = answer.status, answer.location or ""
            if status in REFUSED or (300 <= status < 400 and _same_page(urljoin(url, location), login)):
                continue
            answered = f"{status} to {location}" if location else str(status)
            problems.append(f"GET {url} answered {answered}; expected 401, 403 or a redirect to {login}")
        if problems:
            self.fail(f"{len(problems)} private paths answer anonymous requests: {'; '.join(problems)}")

    def expect_success(self, url: str, meaning: str = "") -> None:
        """Fail unless ``url`` answers 2xx, redirects followed."""
        answer = self.fetch(url, follow_redirects=True)
        if not 200 <= answer.status < 300:
            after = f" (redirected to {answer.url})" if answer.url != url else ""
            self.fail(f"GET {url} answered {answer.status}{after}; expected 2xx{meaning}")

    def url(self, path: str) -> str:
        """``path`` under ``SMOKETEST_PUBLIC_URL`` (a leading ``/`` too), or an absolute URL as it is."""
        base = smoketest_settings.PUBLIC_URL
        if urlsplit(path).scheme:
            return path
        return urljoin(base if base.endswith("/") else f"{base}/", path.lstrip("/"))

    def static_url(self, path: str) -> str:
        if path.startswith("/"):
            return self.url(path)
        with self.failing_as(f"no URL for the static file {path!r}"):
            return self.url(static(path))

    def fetch(self, url: str, *, follow_redirects: bool) -> Answer:
        """GET ``url`` anonymously. Fails when there is no answer (refused,
        unknown host, TLS error, timeout)."""
        timeout = min(self.request_timeout, self._stop_at - time.monotonic())
        if timeout <= 0:
            self.fail(f"GET {url}: not requested: the test's time limit is spent (raise timeout to allow more)")
        started = time.monotonic()
        try:
            return fetch(url, timeout=timeout, follow_redirects=follow_redirects)
        except (URLError, OSError) as exc:
            reason = exc.reason if isinstance(exc, URLError) and isinstance(exc.reason, BaseException) else exc
            self.fail(f"GET {url}: no answer after {time.monotonic() - started:.2f} s: {describe(reason)}")


def _same_page(url: str, other: str) -> bool:
    """True when both URLs name the same host and path (scheme and query aside)."""
    first, second = urlsplit(url), urlsplit(other)
    return (first.netloc.lower(), first.path) == (second.netloc.lower(), second.path)
