"""The endpoint under a real ASGI server (uvicorn) on a loopback port."""

import json
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest
import uvicorn

from tests.conftest import by_name, wait_for_workers_to_end, widget_names

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)


@pytest.fixture
def asgi_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config("tests.asgi:application", host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}/smoketest/"
    server.should_exit = True
    thread.join(10)


def fetch(url, accept=None):
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def test_pass_in_text_and_json_under_asgi(asgi_url, smoke_apps):
    smoke_apps("multidb", "passing")
    status, content_type, body = fetch(asgi_url)
    assert (status, content_type) == (200, "text/plain; charset=utf-8")
    assert body.startswith("PASS\n")
    status, content_type, body = fetch(asgi_url, "application/json")
    assert (status, content_type) == (200, "application/json")
    assert json.loads(body)["tests_passed"] == 3
    assert widget_names() == {"default": [], "other": []}


def test_sync_and_async_tests_and_timeouts_under_asgi(asgi_url, smoke_apps):
    smoke_apps("asyncapp")
    start = time.monotonic()
    status, _, body = fetch(asgi_url, "application/json")
    assert time.monotonic() - start < 3
    tests = by_name(json.loads(body))
    assert status == 500
    assert tests["test_async_orm_write_is_visible_inside_the_test"]["status"] == "pass"
    assert tests["test_sync_test_beside_it"]["status"] == "pass"
    assert tests["test_async_hang"]["message"] == "timed out after 1 s"
    wait_for_workers_to_end()
    assert widget_names() == {"default": [], "other": []}
