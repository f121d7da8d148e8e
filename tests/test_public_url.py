"""PublicURLSmoke against a live server of a test site (its static files
served as a production proxy would serve them), over real sockets."""

import socket
import time
from pathlib import Path

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.test.testcases import LiveServerThread

from tests.conftest import by_name

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)

SMOKE = "tests.smokeapps.api.smoke"
STATIC_DIR = Path(__file__).resolve().parent / "smokeapps" / "api" / "static"
HOME = "test_home_page_answers"
STATIC = "test_static_file_is_served"
PRIVATE = "test_private_paths_refuse_anonymous_requests"


@pytest.fixture
def live_site(smoke_apps, settings):
    """The ``api`` test site on a loopback port, static files included; its base URL."""
    smoke_apps("api", "django.contrib.staticfiles")
    settings.ROOT_URLCONF = "tests.smokeapps.api.urls"
    settings.STATICFILES_DIRS = [str(STATIC_DIR)]
    server = LiveServerThread("127.0.0.1", StaticFilesHandler)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    yield f"http://127.0.0.1:{server.port}/"
    server.terminate()


@pytest.fixture
def run_public(get_json, settings):
    def run(check: str, public_url: str | None) -> dict:
        settings.SMOKETEST_PUBLIC_URL = public_url
        _, document = get_json(test=f"{SMOKE}.{check}")
        return by_name(document)

    return run


def test_a_healthy_site_passes(live_site, run_public):
    tests = run_public("PublicSite", live_site)
    assert {name: (test["status"], test["message"]) for name, test in tests.items()} == {
        HOME: ("pass", ""),
        STATIC: ("pass", ""),
        PRIVATE: ("pass", ""),  # 403 from DRF, a redirect to the login page from login_required
    }


def test_an_open_api_and_a_missing_static_file_fail_naming_the_url(live_site, run_public):
    tests = run_public("LeakySite", live_site)
    assert tests[HOME]["status"] == "pass"
    assert tests[STATIC]["status"] == "fail"
    assert tests[STATIC]["message"] == (
        f"GET {live_site}static/missing.css answered 404; expected 2xx: static files are not served there"
    )
    assert tests[PRIVATE]["status"] == "fail"
    login = f"{live_site}accounts/login/"
    assert tests[PRIVATE]["message"] == (
        f"2 private paths answer anonymous requests: GET {live_site}api/open/ answered 200; expected 401, 403 or "
        f"a redirect to {login}; GET {live_site}api/notes/ answered 200; expected 401, 403 or a redirect to {login}"
    )


def test_a_redirect_to_another_page_than_the_login_page_fails(live_site, run_public, monkeypatch):
    from tests.smokeapps.api.smoke import PublicSite

    monkeypatch.setattr(PublicSite, "login_url", "/sso/login/")
    tests = run_public("PublicSite", live_site)
    assert tests[PRIVATE]["status"] == "fail"
    assert tests[PRIVATE]["message"] == (
        f"1 private paths answer anonymous requests: GET {live_site}account/ answered 302 to "
        f"/accounts/login/?next=/account/; expected 401, 403 or a redirect to {live_site}sso/login/"
    )


def test_a_site_that_is_down_fails_naming_the_url(smoke_apps, run_public):
    smoke_apps("api")
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    tests = run_public("PublicSite", f"http://127.0.0.1:{port}")
    for name in (HOME, STATIC, PRIVATE):
        assert tests[name]["status"] == "fail"
        assert tests[name]["message"].startswith(f"GET http://127.0.0.1:{port}/")
        assert ": no answer after " in tests[name]["message"]
        assert "ConnectionRefusedError" in tests[name]["message"]


def test_without_a_public_url_every_test_is_skipped(smoke_apps, run_public):
    smoke_apps("api")
    tests = run_public("PublicSite", None)
    assert {name: (test["status"], test["message"]) for name, test in tests.items()} == dict.fromkeys(
        (HOME, STATIC, PRIVATE), ("skip", "SMOKETEST_PUBLIC_URL is not set")
    )


def test_a_site_that_never_answers_fails_at_the_request_timeout(smoke_apps, run_public, monkeypatch):
    from tests.smokeapps.api.smoke import PublicSite

    smoke_apps("api")
    monkeypatch.setattr(PublicSite, "request_timeout", 0.5)
    with socket.create_server(("127.0.0.1", 0)) as silent:  # connections are queued, never answered
        port = silent.getsockname()[1]
        started = time.monotonic()
        tests = run_public("PublicSite", f"http://127.0.0.1:{port}/")
        elapsed = time.monotonic() - started
    for name in (HOME, STATIC, PRIVATE):
        assert tests[name]["status"] == "fail"
        assert tests[name]["message"].startswith(f"GET http://127.0.0.1:{port}/")
        assert "no answer after 0.5" in tests[name]["message"]
        assert "TimeoutError" in tests[name]["message"]
    assert elapsed < 3 * 0.5 + 5  # three requests, each cut at its timeout


def test_a_request_never_outlasts_the_tests_time_limit(smoke_apps, run_public, monkeypatch):
    from tests.smokeapps.api.smoke import PublicSite

    smoke_apps("api")
    monkeypatch.setattr(PublicSite, "timeout", 3)  # request_timeout stays 10 s; 0.3 s margin, even on a busy machine
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        tests = run_public("PublicSite", f"http://127.0.0.1:{port}/")
    # A failure of its own, cut before the supervisor's limit: not "timed out after 3 s".
    assert tests[HOME]["status"] == "fail"
    assert f"GET http://127.0.0.1:{port}/: no answer after 2.7" in tests[HOME]["message"]
