"""Cached polls answered from stored bytes: the same answer DRF gives, never
to a caller DRF would answer differently."""

import time

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from rest_framework.views import APIView

from smoketest import polling

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)

REUSABLE_FORMATS = [
    {},  # plain text, what most monitors get
    {"HTTP_ACCEPT": "text/plain; version=0.0.4"},
    {"HTTP_ACCEPT": "application/openmetrics-text; version=1.0.0"},
    {"QUERY_STRING": "format=junit"},
]


@pytest.fixture
def cached(settings):
    cache.clear()
    settings.SMOKETEST_CACHE_SECONDS = 60  # a SMOKETEST_ setting changed: results kept in memory are forgotten
    yield
    cache.clear()


@pytest.fixture
def dispatched(monkeypatch):
    """How many requests went through DRF's dispatch."""
    calls = []
    original = APIView.dispatch

    def dispatch(self, request, *args, **kwargs):
        calls.append(request.get_full_path())
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(APIView, "dispatch", dispatch)
    return calls


def answer(response) -> tuple[int, dict[str, str], bytes]:
    return response.status_code, dict(response.items()), response.content


@pytest.mark.parametrize("request_options", REUSABLE_FORMATS)
@pytest.mark.parametrize("app", ["multidb", "outcomes"])
def test_a_stored_answer_is_the_answer_drf_gave(client, cached, smoke_apps, runs, dispatched, request_options, app):
    smoke_apps(app)
    first, second, third, fourth = (client.get("/smoketest/", **request_options) for _ in range(4))
    assert len(runs) == 1
    assert len(dispatched) == 2  # the run, then the first cached answer, which is stored
    assert answer(second) == answer(third) == answer(fourth)
    assert answer(first)[:2] == answer(second)[:2]
    assert third["Cache-Control"] == "no-store" and third["Vary"].startswith("Accept")


def test_a_fail_answer_is_stored_with_its_status_and_not_logged_as_a_server_error(
    client, cached, smoke_apps, caplog, dispatched
):
    smoke_apps("outcomes")
    statuses = [client.get("/smoketest/").status_code for _ in range(3)]
    assert statuses == [500, 500, 500]
    assert len(dispatched) == 2
    assert not [record for record in caplog.records if record.name == "django.request"]


@pytest.mark.parametrize("request_options", [{"HTTP_ACCEPT": "application/json"}, {"QUERY_STRING": "format=html"}])
def test_answers_showing_the_age_are_rendered_each_time(client, cached, smoke_apps, dispatched, request_options):
    smoke_apps("multidb")
    client.get("/smoketest/", **request_options)
    second = client.get("/smoketest/", **request_options)
    time.sleep(1.1)
    third = client.get("/smoketest/", **request_options)
    assert len(dispatched) == 3
    assert second.content != third.content


def test_each_query_and_accept_header_has_its_own_answer(client, cached, smoke_apps, dispatched):
    smoke_apps("outcomes")
    for _ in range(2):
        text = client.get("/smoketest/")
        narrowed = client.get("/smoketest/", {"test": "outcomes.Outcomes.test_pass_sees_setup"})
        metrics = client.get("/smoketest/", HTTP_ACCEPT="text/plain; version=0.0.4")
    assert text.status_code == 500 and text.content.startswith(b"FAIL\n")
    assert narrowed.status_code == 200 and narrowed.content.startswith(b"PASS\ntest classes: 1\ntests run: 1\n")
    assert metrics.status_code == 200 and b"smoketest_up 0" in metrics.content
    # Two runs (the metrics share the text's), then each answer is rendered once more and stored.
    assert len(dispatched) == 5
    assert [client.get("/smoketest/").status_code for _ in range(2)] == [500, 500]
    assert len(dispatched) == 5


def test_a_token_is_still_required_once_a_token_holders_answer_is_stored(client, cached, settings, smoke_apps):
    smoke_apps("outcomes")
    settings.SMOKETEST_TOKEN = "s3cret"
    settings.SMOKETEST_PUBLIC_DETAIL = "summary"
    for _ in range(3):
        holder = client.get("/smoketest/", HTTP_AUTHORIZATION="Bearer s3cret")
    assert holder.status_code == 500 and b"test_fail failed: " in holder.content
    assert client.get("/smoketest/").status_code == 401
    assert client.get("/smoketest/", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/smoketest/", HTTP_X_SMOKETEST_TOKEN="s3cret").content == holder.content


def test_anonymous_and_staff_callers_each_get_what_they_may_see(client, cached, settings, smoke_apps):
    smoke_apps("outcomes")
    settings.SMOKETEST_PUBLIC_DETAIL = "summary"
    anonymous = [client.get("/smoketest/", HTTP_ACCEPT="application/xml").content for _ in range(3)][-1]
    client.force_login(User.objects.create_user("ops", is_staff=True))
    staff = [client.get("/smoketest/", HTTP_ACCEPT="application/xml").content for _ in range(3)][-1]
    client.logout()
    again = client.get("/smoketest/", HTTP_ACCEPT="application/xml").content
    assert b"test_fail" not in anonymous and b"Traceback" not in anonymous
    assert b"test_fail" in staff and b"Traceback" in staff
    assert again == anonymous


def test_throttled_polls_are_counted_even_when_cached(client, cached, settings, smoke_apps):
    smoke_apps("multidb")
    settings.SMOKETEST_THROTTLE_CLASSES = ["smoketest.access.SmoketestRateThrottle"]
    settings.SMOKETEST_THROTTLE_RATES = {"smoketest": "3/min"}
    assert [client.get("/smoketest/").status_code for _ in range(5)] == [200, 200, 200, 429, 429]


def test_a_permission_class_is_asked_on_every_poll(client, cached, settings, smoke_apps):
    smoke_apps("multidb")
    settings.SMOKETEST_PERMISSION_CLASSES = ["rest_framework.permissions.IsAdminUser"]
    client.force_login(User.objects.create_user("admin", is_staff=True))
    assert [client.get("/smoketest/").status_code for _ in range(3)] == [200, 200, 200]
    client.logout()
    assert client.get("/smoketest/").status_code == 403


def test_a_stored_answer_ends_with_its_result(client, settings, smoke_apps, runs, dispatched):
    cache.clear()
    smoke_apps("multidb")
    settings.SMOKETEST_CACHE_SECONDS = 0.5
    for _ in range(3):
        client.get("/smoketest/")
    time.sleep(0.6)
    client.get("/smoketest/")
    assert len(runs) == 2
    assert len(dispatched) == 3


def test_stored_answers_are_bounded(client, cached, smoke_apps):
    smoke_apps("multidb")
    for number in range(3 * polling.KEPT_MAX):
        for _ in range(2):
            assert client.get("/smoketest/", {"failfast": "0", "poller": str(number)}).status_code == 200
    assert len(polling._answers) <= polling.KEPT_MAX


def test_head_requests_are_answered_by_the_view(client, cached, smoke_apps, dispatched):
    smoke_apps("multidb")
    statuses = [client.head("/smoketest/").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert len(dispatched) == 3
