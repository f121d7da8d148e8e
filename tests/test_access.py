"""Who may run the tests, how often, and what each caller is told."""

import json

import pytest
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)


def get(client, **headers):
    response = client.get("/smoketest/", HTTP_ACCEPT="application/json", **headers)
    return response, json.loads(response.content)


@pytest.fixture
def token(settings, smoke_apps):
    smoke_apps("multidb")
    settings.SMOKETEST_TOKEN = ["old-token", "new-token"]


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_AUTHORIZATION": "Bearer new-token"},
        {"HTTP_AUTHORIZATION": "bearer old-token"},
        {"HTTP_X_SMOKETEST_TOKEN": "new-token"},
    ],
)
def test_any_configured_token_runs_the_tests(client, token, headers):
    response, document = get(client, **headers)
    assert response.status_code == 200
    assert document["tests_run"] == 1


def test_missing_token_is_401_and_runs_nothing(client, token, runs):
    response, document = get(client)
    assert runs == []
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="smoketest"'
    assert document == {"detail": "Authentication credentials were not provided."}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "headers", [{"HTTP_AUTHORIZATION": "Bearer wrong"}, {"HTTP_X_SMOKETEST_TOKEN": "new-token-but-longer"}]
)
def test_wrong_token_is_403_in_the_negotiated_format(client, token, headers, runs):
    response, document = get(client, **headers)
    assert runs == []
    assert response.status_code == 403
    assert document == {"detail": "Invalid smoke test token."}
    text = client.get("/smoketest/", **headers)
    assert text.status_code == 403
    assert text.content == b"Invalid smoke test token.\n"


def test_permission_classes(client, settings, smoke_apps):
    smoke_apps("multidb")
    settings.SMOKETEST_PERMISSION_CLASSES = ["rest_framework.permissions.IsAdminUser"]
    assert client.get("/smoketest/").status_code == 403
    staff = User.objects.create_user("ops", password="pw", is_staff=True)
    client.force_login(staff)
    assert client.get("/smoketest/").status_code == 200


@pytest.fixture
def failing(smoke_apps):
    smoke_apps("outcomes")


def test_full_detail_is_the_default_without_tracebacks(client, failing):
    response, document = get(client)
    assert response.status_code == 500
    assert document["failed_tests"]
    assert all("traceback" not in test for test in document["tests"])


def test_summary_detail_hides_names_and_messages_from_the_public(client, failing, settings):
    settings.SMOKETEST_PUBLIC_DETAIL = "summary"
    response, document = get(client)
    assert response.status_code == 500
    assert document["status"] == "FAIL"
    assert document["tests_failed"] == 4
    assert not {"failed_tests", "errored_tests", "tests"} & set(document)
    text = client.get("/smoketest/").content.decode()
    assert text.startswith("FAIL\n") and "Outcomes" not in text and "tests failed: 4" in text


def test_staff_and_token_holders_see_everything_with_tracebacks(client, failing, settings):
    settings.SMOKETEST_PUBLIC_DETAIL = "summary"
    settings.SMOKETEST_TOKEN = "t0ken"
    _, document = get(client, HTTP_AUTHORIZATION="Bearer t0ken")
    error = next(test for test in document["tests"] if test["name"].endswith("test_error"))
    assert 'raise ValueError("boom")' in error["traceback"]
    settings.SMOKETEST_TOKEN = None
    client.force_login(User.objects.create_user("staff", is_staff=True))
    _, document = get(client)
    assert "tests" in document and all("traceback" in test for test in document["tests"])


def test_show_tracebacks_setting(client, failing, settings):
    settings.SMOKETEST_SHOW_TRACEBACKS = True
    _, document = get(client)
    assert all("traceback" in test for test in document["tests"])


def test_throttled_requests_get_429_with_retry_after_and_run_nothing(client, smoke_apps, settings, runs):
    smoke_apps("multidb")
    settings.SMOKETEST_THROTTLE_CLASSES = ["smoketest.web.access.SmoketestRateThrottle"]
    settings.SMOKETEST_THROTTLE_RATES = {"smoketest": "2/min"}
    from django.core.cache import cache

    cache.clear()
    assert [client.get("/smoketest/").status_code for _ in range(2)] == [200, 200]
    response, document = get(client)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "throttled" in document["detail"].lower()
    assert "tests_run" not in document
    assert len(runs) == 2


def test_drf_throttle_classes_take_their_rate_from_smoketest_settings(client, smoke_apps, settings):
    smoke_apps("multidb")
    settings.SMOKETEST_THROTTLE_CLASSES = ["rest_framework.throttling.AnonRateThrottle"]
    settings.SMOKETEST_THROTTLE_RATES = {"anon": "1/hour"}
    from django.core.cache import cache

    cache.clear()
    assert client.get("/smoketest/").status_code == 200
    assert client.get("/smoketest/").status_code == 429
