"""``/smoketest/ping/``: a liveness answer that runs nothing and touches no database."""

from contextlib import ExitStack

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)


@pytest.fixture
def atomic_requests(monkeypatch):
    """``ATOMIC_REQUESTS`` on for every alias."""
    for alias in connections:
        monkeypatch.setitem(connections[alias].settings_dict, "ATOMIC_REQUESTS", True)


def test_ping_answers_pong_without_running_tests_or_querying(client, smoke_apps, settings, runs, atomic_requests):
    smoke_apps("passing")
    settings.SMOKETEST_TOKEN = "secret"  # not needed for a ping
    with ExitStack() as stack:
        captured = [stack.enter_context(CaptureQueriesContext(connection)) for connection in connections.all()]
        response = client.get(reverse("smoketest:ping"))
    assert (response.status_code, response.content) == (200, b"pong")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert [len(queries) for queries in captured] == [0, 0]
    assert runs == []
    # Not even a connection is opened (ATOMIC_REQUESTS would open one).
    for connection in connections.all():
        connection.close()
    assert client.get("/smoketest/ping/").status_code == 200
    assert [connection.connection for connection in connections.all()] == [None, None]


def test_ping_is_not_throttled_like_the_run(client, smoke_apps, settings):
    smoke_apps("passing")
    settings.SMOKETEST_THROTTLE_RATES = {"smoketest": "1/min"}
    settings.SMOKETEST_THROTTLE_CLASSES = ["smoketest.web.access.SmoketestRateThrottle"]
    assert [client.get("/smoketest/ping/").status_code for _ in range(5)] == [200] * 5
    assert [client.get("/smoketest/").status_code for _ in range(2)] == [200, 429]
    assert client.get("/smoketest/ping/").status_code == 200


def test_ping_answers_head_and_refuses_post(client):
    head = client.head("/smoketest/ping/")
    assert (head.status_code, head.content, head["Cache-Control"]) == (200, b"", "no-store")
    post = client.post("/smoketest/ping/")
    assert post.status_code == 405
    assert post["Allow"] == "GET, HEAD"
