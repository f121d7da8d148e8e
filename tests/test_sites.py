"""SitesSmoke: the current Site against ALLOWED_HOSTS and SMOKETEST_PUBLIC_URL."""

import pytest
from django.contrib.sites.models import Site

from tests.conftest import by_name
from tests.settings import BASE_APPS

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)

ALLOWED = "test_site_domain_is_an_allowed_host"
PUBLIC = "test_site_domain_matches_the_public_url"


@pytest.fixture
def run_sites(smoke_apps, get_json):
    """Give Site 1 ``domain``, run SitesSmoke; its entries by method name."""

    def run(domain: str) -> dict:
        Site.objects.update_or_create(pk=1, defaults={"domain": domain, "name": domain})
        smoke_apps("currentsite")
        _, document = get_json()
        return {name: (test["status"], test["message"]) for name, test in by_name(document).items()}

    return run


@pytest.mark.parametrize(
    "allowed_hosts, domain",
    [
        (["www.example.com"], "www.example.com"),
        ([".example.com"], "shop.example.com"),
        ([".example.com"], "example.com"),
        (["*"], "anything.test"),
        (["www.example.com"], "www.example.com:8443"),
    ],
)
def test_an_allowed_domain_matching_the_public_url_passes(run_sites, settings, allowed_hosts, domain):
    settings.ALLOWED_HOSTS = [*allowed_hosts, "testserver"]  # the test client's host
    settings.SMOKETEST_PUBLIC_URL = f"https://{domain}/"
    assert run_sites(domain) == {ALLOWED: ("pass", ""), PUBLIC: ("pass", "")}


def test_a_domain_outside_allowed_hosts_fails(run_sites, settings):
    settings.ALLOWED_HOSTS = [".example.com", "testserver"]
    tests = run_sites("example.org")
    assert tests[ALLOWED] == (
        "fail",
        "the current site's domain 'example.org' (Site 1) is not in ALLOWED_HOSTS ['.example.com', 'testserver']",
    )
    assert tests[PUBLIC] == ("skip", "SMOKETEST_PUBLIC_URL is not set")


def test_a_domain_other_than_the_public_urls_host_fails(run_sites, settings):
    settings.SMOKETEST_PUBLIC_URL = "https://WWW.example.com/shop/"
    tests = run_sites("example.com")
    assert tests[ALLOWED] == ("pass", "")
    assert tests[PUBLIC] == (
        "fail",
        "the current site's domain is 'example.com' (Site 1); SMOKETEST_PUBLIC_URL 'https://WWW.example.com/shop/' "
        "has the host 'www.example.com'",
    )


def test_a_missing_current_site_fails(run_sites, settings):
    settings.SITE_ID = 99
    tests = run_sites("example.com")
    assert tests[ALLOWED][0] == "fail"
    assert tests[ALLOWED][1].startswith("could not read the current site (SITE_ID = 99): DoesNotExist: ")


def test_skipped_without_the_sites_app_or_a_site_id(smoke_apps, get_json, settings):
    without_sites = [app for app in BASE_APPS if app != "django.contrib.sites"]
    settings.INSTALLED_APPS = [*without_sites, "tests.smokeapps.currentsite"]
    _, document = get_json()
    assert {test["status"] for test in document["tests"]} == {"skip"}
    assert {test["message"] for test in document["tests"]} == {"django.contrib.sites is not installed"}
    smoke_apps("currentsite")
    del settings.SITE_ID
    _, document = get_json()
    assert {test["message"] for test in document["tests"]} == {
        "SITE_ID is not set: the current site is chosen per request, by its host"
    }
