"""The current ``Site`` names the host the site is served on."""

from typing import Any
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.http.request import split_domain_port, validate_host

from smoketest import NoFix
from smoketest.checks.base import BuiltinCheck
from smoketest.core.settings import smoketest_settings

SITES_APP = "django.contrib.sites"
# What django.contrib.sites' first migration names the site it creates.
DEFAULT_SITE_NAME = "example.com"
# The hosts Django allows when DEBUG is on and ALLOWED_HOSTS is empty.
DEBUG_HOSTS = [".localhost", "127.0.0.1", "[::1]"]


class SitesSmoke(BuiltinCheck):
    """The current ``Site`` (``SITE_ID``) has a domain ``ALLOWED_HOSTS``
    accepts, and the host of ``SMOKETEST_PUBLIC_URL`` when that is set: the
    links in e-mails, sitemaps and password-reset pages point at the site.
    Skipped when ``django.contrib.sites`` is not installed or ``SITE_ID`` is
    not set. Its fix sets the domain (and the default name) from
    ``SMOKETEST_PUBLIC_URL``."""

    tags = frozenset({"builtin", "sites"})

    def setUp(self) -> None:
        if not apps.is_installed(SITES_APP):
            self.skipTest(f"{SITES_APP} is not installed")
        if getattr(settings, "SITE_ID", None) is None:
            self.skipTest("SITE_ID is not set: the current site is chosen per request, by its host")

    def test_site_domain_is_an_allowed_host(self) -> None:
        site = self.current_site()
        allowed = settings.ALLOWED_HOSTS or (DEBUG_HOSTS if settings.DEBUG else [])
        host, _ = split_domain_port(site.domain)
        if not validate_host(host, allowed):
            self.fail(f"the current site's domain {site.domain!r} (Site {site.pk}) is not in ALLOWED_HOSTS {allowed!r}")

    def test_site_domain_matches_the_public_url(self) -> None:
        domain = public_domain()
        if domain is None:
            self.skipTest("SMOKETEST_PUBLIC_URL is not set")
        site = self.current_site()
        if site.domain.lower() != domain:
            self.fail(
                f"the current site's domain is {site.domain!r} (Site {site.pk}); "
                f"SMOKETEST_PUBLIC_URL {smoketest_settings.PUBLIC_URL!r} has the host {domain!r}"
            )

    def current_site(self) -> Any:
        """The ``SITE_ID`` row, read from the database (not the sites cache)."""
        from django.contrib.sites.models import Site  # only importable with the app installed

        with self.failing_as(f"could not read the current site (SITE_ID = {settings.SITE_ID!r})"):
            return Site.objects.get(pk=settings.SITE_ID)

    def fix_plan(self) -> str:
        """Setting the site's domain, and its name while it is the default, to the public host."""
        domain = public_domain()
        if domain is None:
            raise NoFix("SMOKETEST_PUBLIC_URL is not set: the domain to set is unknown")
        site = self.current_site()
        if site.domain == domain:
            raise NoFix(f"the site's domain is {domain!r} already; the host must be added to ALLOWED_HOSTS")
        changes = [f"domain {site.domain!r} -> {domain!r}"]
        if site.name == DEFAULT_SITE_NAME:
            changes.append(f"name {site.name!r} -> {domain!r}")
        return f"set Site {site.pk}'s {' and '.join(changes)}"

    def fix(self) -> str:
        plan = self.fix_plan()
        site = self.current_site()
        if site.name == DEFAULT_SITE_NAME:
            site.name = public_domain()
        site.domain = public_domain()
        site.save(update_fields=["domain", "name"])
        return plan


def public_domain() -> str | None:
    """The host (and port, when the URL names one) of ``SMOKETEST_PUBLIC_URL``, lower case."""
    url = smoketest_settings.PUBLIC_URL
    if not url:
        return None
    return urlsplit(url).netloc.rpartition("@")[2].lower()
