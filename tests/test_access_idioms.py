"""The view used the way DRF users use it: every mount enforces its own
authentication, permissions and throttles on every request, cached result
or not; throttles key on the address Django sees."""

import base64
import gzip
import json

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache

from smoketest.web import access

pytestmark = [pytest.mark.django_db(databases="__all__", transaction=True), pytest.mark.urls("tests.access_urls")]

OUTSIDE, INSIDE = "203.0.113.9", "10.1.2.3"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()  # throttle histories and cached results
    yield
    cache.clear()


@pytest.fixture
def cached(settings, smoke_apps):
    smoke_apps("multidb")
    settings.SMOKETEST_CACHE_SECONDS = 60


def statuses(client, path, times=3, **extra):
    return [client.get(path, **extra).status_code for _ in range(times)]


def test_a_subclass_adding_a_permission_is_asked_on_every_cached_poll(client, cached, runs):
    assert statuses(client, "/inside/", REMOTE_ADDR=INSIDE) == [200, 200, 200]
    assert statuses(client, "/inside/", REMOTE_ADDR=OUTSIDE) == [403, 403, 403]
    assert statuses(client, "/smoketest/", REMOTE_ADDR=OUTSIDE) == [200, 200, 200]
    assert statuses(client, "/inside/", REMOTE_ADDR=OUTSIDE) == [403, 403, 403]
    assert len(runs) == 1  # the result is shared; the access is not


def test_two_mounts_each_enforce_their_own_access(client, cached):
    assert statuses(client, "/smoketest/") == [200, 200, 200]
    assert statuses(client, "/staff/") == [403, 403, 403]
    client.force_login(User.objects.create_user("ops", is_staff=True))
    assert statuses(client, "/staff/") == [200, 200, 200]
    client.logout()
    assert statuses(client, "/staff/") == [403, 403, 403]
    assert statuses(client, "/smoketest/") == [200, 200, 200]


def test_as_view_arguments_set_the_access(client, cached):
    assert statuses(client, "/admins/") == [403, 403, 403]
    client.force_login(User.objects.create_user("ops", is_staff=True))
    assert statuses(client, "/admins/") == [200, 200, 200]
    response = client.get("/json/", HTTP_ACCEPT="text/plain")  # JSON is all this mount renders
    assert (response["Content-Type"], json.loads(response.content)["status"]) == ("application/json", "PASS")


def test_as_view_authentication_classes_replace_the_default(client, cached):
    client.force_login(User.objects.create_user("ops", is_staff=True))
    assert statuses(client, "/admins/") == [200, 200, 200]  # the default authenticates the session
    # The same permission on a mount without the session's authentication: the staff user is nobody there.
    assert statuses(client, "/sessionless-admins/") == [403, 403, 403]


def test_a_subclass_authentication_classes_replace_the_default(client, cached, settings):
    User.objects.create_user("ops", password="pw-of-ops")
    basic = "Basic " + base64.b64encode(b"ops:pw-of-ops").decode()
    settings.SMOKETEST_PERMISSION_CLASSES = ["rest_framework.permissions.IsAuthenticated"]
    assert statuses(client, "/basic/", HTTP_AUTHORIZATION=basic) == [200, 200, 200]
    assert statuses(client, "/smoketest/", HTTP_AUTHORIZATION=basic) == [403, 403, 403]  # the session only
    client.login(username="ops", password="pw-of-ops")
    assert statuses(client, "/smoketest/") == [200, 200, 200]
    assert statuses(client, "/basic/") == [401, 401, 401]  # HTTP Basic only: the session is nobody here


def test_a_mounts_first_authentication_class_picks_the_challenge(client, cached, settings):
    settings.SMOKETEST_PERMISSION_CLASSES = ["rest_framework.permissions.IsAuthenticated"]
    response = client.get("/basic/")
    assert (response.status_code, response.get("WWW-Authenticate")) == (401, 'Basic realm="api"')
    response = client.get("/smoketest/")  # the session's class has no challenge: 403, as DRF answers
    assert (response.status_code, response.get("WWW-Authenticate")) == (403, None)
    settings.SMOKETEST_TOKEN = "a-token"  # the token comes first, and its challenge with it
    response = client.get("/basic/")
    assert (response.status_code, response.get("WWW-Authenticate")) == (401, 'Bearer realm="smoketest"')


@pytest.mark.parametrize("mount", ["/once/", "/once-subclass/"])
def test_a_mounts_own_throttle_classes_limit_it(client, cached, runs, mount):
    assert statuses(client, "/smoketest/", REMOTE_ADDR=OUTSIDE) == [200, 200, 200]  # no throttle by default
    first, second = client.get(mount, REMOTE_ADDR=OUTSIDE), client.get(mount, REMOTE_ADDR=OUTSIDE)
    assert (first.status_code, second.status_code) == (200, 429)
    assert 0 < int(second["Retry-After"]) <= 60
    assert client.get(mount, REMOTE_ADDR=INSIDE).status_code == 200  # another address has its own
    assert len(runs) == 1


def test_a_mount_without_throttle_classes_is_never_throttled(client, throttled, settings):
    settings.SMOKETEST_THROTTLE_RATES = {"smoketest": "2/min"}
    assert statuses(client, "/smoketest/", 4) == [200, 200, 429, 429]
    assert statuses(client, "/unthrottled/", 6) == [200] * 6


def test_the_settings_are_the_defaults_a_mount_may_override(client, cached, settings):
    settings.SMOKETEST_PERMISSION_CLASSES = ["rest_framework.permissions.IsAdminUser"]
    assert statuses(client, "/smoketest/") == [403, 403, 403]
    assert statuses(client, "/anyone/") == [200, 200, 200]


def test_the_token_is_required_whatever_a_mount_allows(client, cached, settings):
    settings.SMOKETEST_TOKEN = "s3cret-token"
    assert statuses(client, "/anyone/") == [401, 401, 401]
    assert statuses(client, "/anyone/", HTTP_AUTHORIZATION="Bearer s3cret-token") == [200, 200, 200]
    assert statuses(client, "/anyone/") == [401, 401, 401]


def test_a_full_middleware_stack_answers_each_caller_its_own(client, cached, settings):
    settings.MIDDLEWARE = [
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.gzip.GZipMiddleware",
        "django.middleware.locale.LocaleMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "tests.access_urls.CallerHeaderMiddleware",
    ]
    for caller in ["alice", "bob", "alice", "carol"]:
        response = client.get("/smoketest/", HTTP_X_CALLER=caller)
        assert (response.status_code, response["X-Caller"]) == (200, caller)
        assert response.content.startswith(b"PASS\n")
    assert statuses(client, "/staff/", HTTP_X_CALLER="mallory") == [403, 403, 403]
    zipped = client.get("/smoketest/?format=json", HTTP_X_CALLER="dave", HTTP_ACCEPT_ENCODING="gzip")
    assert (zipped["Content-Encoding"], zipped["X-Caller"]) == ("gzip", "dave")
    assert json.loads(gzip.decompress(zipped.content))["cached"] is True
    staff = User.objects.create_user("ops", is_staff=True)
    client.force_login(staff)
    assert statuses(client, "/staff/", HTTP_X_CALLER="ops") == [200, 200, 200]
    client.logout()
    assert statuses(client, "/staff/", HTTP_X_CALLER="eve") == [403, 403, 403]


@pytest.fixture
def throttled(settings, smoke_apps):
    smoke_apps("multidb")
    settings.SMOKETEST_THROTTLE_CLASSES = ["smoketest.web.access.SmoketestRateThrottle"]
    settings.SMOKETEST_THROTTLE_RATES = {"smoketest": "5/min"}


@pytest.mark.parametrize(
    "classes", [["smoketest.web.access.SmoketestRateThrottle"], ["rest_framework.throttling.AnonRateThrottle"]]
)
def test_rotating_x_forwarded_for_does_not_escape_the_throttle(client, throttled, settings, runs, classes):
    settings.SMOKETEST_THROTTLE_CLASSES = classes
    settings.SMOKETEST_THROTTLE_RATES = {"smoketest": "5/min", "anon": "5/min"}
    answers = [
        client.get("/smoketest/", REMOTE_ADDR=OUTSIDE, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(10)
    ]
    assert answers == [200] * 5 + [429] * 5
    assert len(runs) == 5
    assert client.get("/smoketest/", REMOTE_ADDR=INSIDE).status_code == 200  # another address has its own


def test_behind_a_reverse_proxy_num_proxies_picks_the_address_it_saw(client, throttled, settings):
    settings.REST_FRAMEWORK = {"NUM_PROXIES": 1}
    proxy = "10.0.0.2"

    def poll(forwarded):
        return client.get("/smoketest/", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded).status_code

    # The client makes up the first entries; the proxy appends the address it saw.
    assert [poll(f"198.51.100.{n}, {OUTSIDE}") for n in range(7)] == [200] * 5 + [429] * 2
    assert poll("192.0.2.1") == 200  # another client behind the same proxy


@pytest.fixture
def token(settings, smoke_apps):
    smoke_apps("multidb")
    settings.SMOKETEST_TOKEN = ["old-token", "new-token"]


def test_wrong_token_bursts_are_throttled_per_address(client, token):
    wrong = [
        client.get("/smoketest/", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=f"Bearer guess-{n}").status_code
        for n in range(15)
    ]
    assert wrong == [403] * 10 + [429] * 5
    refused = client.get("/smoketest/", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer new-token")
    assert refused.status_code == 429  # no oracle: the right token is not even compared
    assert 3000 < int(refused["Retry-After"]) <= 3600
    rotated = client.get(
        "/smoketest/", REMOTE_ADDR=OUTSIDE, HTTP_X_FORWARDED_FOR="192.0.2.77", HTTP_X_SMOKETEST_TOKEN="guess"
    )
    assert rotated.status_code == 429
    # The monitor, from its own address, is not locked out.
    assert statuses(client, "/smoketest/", REMOTE_ADDR=INSIDE, HTTP_AUTHORIZATION="Bearer new-token") == [200] * 3
    assert client.get("/smoketest/", REMOTE_ADDR=INSIDE, HTTP_AUTHORIZATION="Bearer nope").status_code == 403


def test_the_failed_token_rate_is_a_setting(client, token, settings):
    settings.SMOKETEST_THROTTLE_RATES = {"smoketest_token": "2/min"}
    assert statuses(client, "/smoketest/", 4, HTTP_AUTHORIZATION="Bearer nope") == [403, 403, 429, 429]
    assert access.FailedTokenThrottle().rate == "2/min"
    settings.SMOKETEST_THROTTLE_RATES = {"smoketest_token": None}
    assert access.FailedTokenThrottle().rate == access.FAILED_TOKEN_RATE
