import types

import pytest
from django.core import checks
from django.http import HttpResponse
from django.urls import include, path, re_path

from smoketest.system_checks import (
    check_cache_sharing,
    check_discovery,
    check_exposure,
    check_routes_reachable,
    check_settings,
)
from tests.settings import REDIS_URL


def ids(messages):
    return [message.id for message in messages]


def test_no_smoke_tests_at_all_warns(smoke_apps):
    smoke_apps("nosmoke")
    messages = check_discovery()
    assert ids(messages) == ["smoketest.W001"]
    assert messages[0].level == checks.WARNING


def test_broken_smoke_module_warns_with_its_name(smoke_apps):
    smoke_apps("passing", "broken")
    messages = check_discovery()
    assert ids(messages) == ["smoketest.W002"]
    assert "tests.smokeapps.broken.smoke" in messages[0].msg


def test_discovered_tests_are_quiet(smoke_apps):
    smoke_apps("passing")
    assert check_discovery() == []


def test_valid_defaults_are_quiet():
    assert check_settings() == []


@pytest.mark.parametrize("url", ["https://www.example.com/", "http://127.0.0.1:8000", "https://example.com/app/"])
def test_an_absolute_http_public_url_is_valid(settings, url):
    settings.SMOKETEST_PUBLIC_URL = url
    assert check_settings() == []


@pytest.mark.parametrize(
    "name, value, check_id",
    [
        ("SKIP_APPS", "broken", "smoketest.E001"),
        ("DATABASES", ["default", "nope"], "smoketest.E002"),
        ("FAIL_STATUS", 200, "smoketest.E003"),
        ("TIMEOUT", 0, "smoketest.E004"),
        ("RUN_TIMEOUT", "60", "smoketest.E005"),
        ("CACHE_SECONDS", -1, "smoketest.E006"),
        ("CACHE_FAIL_SECONDS", "5", "smoketest.E007"),
        ("CACHE", "nowhere", "smoketest.E008"),
        ("TOKEN", ["ok", ""], "smoketest.E009"),
        ("PUBLIC_DETAIL", "names", "smoketest.E010"),
        ("THROTTLE_RATES", "60/min", "smoketest.E011"),
        ("PERMISSION_CLASSES", ["no.such.Permission"], "smoketest.E012"),
        ("PUBLIC_URL", "www.example.com", "smoketest.E013"),
        ("PUBLIC_URL", "ftp://www.example.com/", "smoketest.E013"),
        ("PUBLIC_URL", "https:///path-only", "smoketest.E013"),
        ("PUBLIC_URL", ["https://www.example.com/"], "smoketest.E013"),
        ("WORKERS", 0, "smoketest.E014"),
        ("WORKERS", "4", "smoketest.E014"),
        ("CACHE_MEMORY", "4MB", "smoketest.E015"),
        ("CACHE_MEMORY", -1, "smoketest.E015"),
    ],
)
def test_invalid_settings_are_errors_naming_the_setting(settings, name, value, check_id):
    setattr(settings, f"SMOKETEST_{name}", value)
    messages = check_settings()
    assert ids(messages) == [check_id]
    assert messages[0].level == checks.ERROR
    assert f"SMOKETEST_{name}" in messages[0].msg


def test_public_endpoint_naming_internals_warns_in_production(settings):
    settings.DEBUG = False
    assert ids(check_exposure()) == ["smoketest.W003"]
    settings.SMOKETEST_PUBLIC_DETAIL = "summary"
    assert check_exposure() == []
    settings.SMOKETEST_PUBLIC_DETAIL = "full"
    settings.SMOKETEST_TOKEN = "secret"
    assert check_exposure() == []
    settings.SMOKETEST_TOKEN = None
    settings.SMOKETEST_PERMISSION_CLASSES = ["rest_framework.permissions.IsAdminUser"]
    assert check_exposure() == []
    settings.SMOKETEST_PERMISSION_CLASSES = []
    settings.DEBUG = True
    assert check_exposure() == []


def test_a_result_cache_that_is_not_shared_between_processes_warns(settings):
    assert check_cache_sharing() == []  # no result cache
    settings.SMOKETEST_CACHE_SECONDS = 5
    assert ids(check_cache_sharing()) == ["smoketest.W005"]
    assert "'default' cache (LocMemCache) is not shared" in check_cache_sharing()[0].msg
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    assert check_cache_sharing() == []


def shadowing_urlconf():
    """A URLconf like django CMS's: a catch-all page route before the include."""

    def page(request, slug=""):
        return HttpResponse(f"page {slug}")

    module = types.ModuleType("shadowing_urls")
    module.urlpatterns = [
        re_path(r"^(?P<slug>[0-9A-Za-z/_-]*)$", page, name="pages-details-by-slug"),
        path("smoketest/", include("smoketest.urls")),
    ]
    return module


def test_routes_shadowed_by_an_earlier_catch_all_are_named(settings, client):
    assert check_routes_reachable() == []
    settings.ROOT_URLCONF = shadowing_urlconf()
    warnings = check_routes_reachable()
    assert ids(warnings) == ["smoketest.W006", "smoketest.W006"]
    assert warnings[0].msg == (
        "/smoketest/ (smoketest:smoketest) is answered by tests.test_checks.page (URL pattern "
        "'^(?P<slug>[0-9A-Za-z/_-]*)$'), not by django-smoketest: an earlier pattern in the URLconf shadows it."
    )
    assert warnings[1].msg.startswith("/smoketest/ping/ (smoketest:ping) is answered by tests.test_checks.page")
    assert client.get("/smoketest/ping/").content == b"page smoketest/ping/"  # what the warning is about


def test_routes_not_included_need_no_warning(settings):
    module = types.ModuleType("no_smoketest_urls")
    module.urlpatterns = []
    settings.ROOT_URLCONF = module
    assert check_routes_reachable() == []


@pytest.mark.parametrize("value, valid", [(None, True), ("4f2c1ab", True), ("", False), ("a\nb", False), (3, False)])
def test_release_must_be_a_one_line_string(settings, value, valid):
    settings.SMOKETEST_RELEASE = value
    assert ids(check_settings()) == ([] if valid else ["smoketest.E016"])
