"""URLCrawlSmoke: every route without parameters, under every role, with
nothing left behind."""

import logging
import time

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections
from django.test import Client

from smoketest.checks.deadline import DeadlineExceeded, deadline
from smoketest.checks.routes import parameterless_routes
from tests.conftest import widget_names

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)

URLS = "tests.smokeapps.crawl.urls"
CLEAN_URLS = "tests.smokeapps.crawl.clean_urls"
SLOW_URLS = "tests.smokeapps.crawl.slow_urls"


@pytest.fixture
def crawl(settings, smoke_apps):
    """Run one crawl app against a URLconf; return {class name: JSON entry}."""
    # Like a real server, the outer client does not re-raise the exceptions
    # that the crawled views raise (and report through got_request_exception).
    client = Client(raise_request_exception=False)

    def run(app: str, urlconf: str = URLS, host: str = "testserver") -> dict:
        settings.ROOT_URLCONF = urlconf
        smoke_apps(app)
        response = client.get("/smoketest/", {"format": "json"}, HTTP_HOST=host)
        return {test["name"].split(".")[-2]: test for test in response.json()["tests"]}

    return run


def rows_left() -> dict:
    users = {alias: User.objects.using(alias).count() for alias in connections}
    sessions = {alias: Session.objects.using(alias).count() for alias in connections}
    return {"users": users, "sessions": sessions, "widgets": widget_names()}


NOTHING_LEFT = {
    "users": {"default": 0, "other": 0},
    "sessions": {"default": 0, "other": 0},
    "widgets": {"default": [], "other": []},
}


def test_failures_name_route_role_and_status(crawl):
    tests = crawl("crawl")
    assert tests["Crawl"]["status"] == "fail"
    assert tests["Crawl"]["message"] == (
        "2 problems in 36 requests (made as anonymous 9, authenticated 9, staff 9, superuser 9): "
        "GET /staff-page/ (staff-page) as staff: RuntimeError: the staff page broke; "
        "GET /super-page/ (super-page) as superuser: status 500"
    )


def test_no_user_session_or_row_survives_the_crawl(crawl):
    crawl("crawl")
    assert rows_left() == NOTHING_LEFT


def test_the_imported_base_does_not_run_beside_its_configured_subclass(crawl):
    assert sorted(crawl("crawl")) == ["Crawl", "CustomRoles"]


def test_custom_and_unknown_roles(crawl):
    tests = crawl("crawl")
    assert tests["CustomRoles"]["status"] == "fail"
    assert tests["CustomRoles"]["message"] == (
        "could not log in as admin: ValueError: unknown role 'admin': "
        "use anonymous, authenticated, staff, superuser, or override make_user"
    )


def test_imported_as_is_it_requests_every_route_without_parameters(crawl):
    message = crawl("crawlasis")["URLCrawlSmoke"]["message"]
    for role in ("anonymous", "authenticated", "staff", "superuser"):
        assert f"GET /danger/ (danger) as {role}: RuntimeError: the crawl requested /danger/" in message
        assert f"GET /private/area/ as {role}: RuntimeError" in message
        assert f"GET /shop/cart/ (shop:cart) as {role}: RuntimeError" in message
    for never in ("/items/", "/archive/", "/shop/<", "smoketest"):
        assert never not in message
    assert message.startswith(
        "14 problems in 48 requests (made as anonymous 12, authenticated 12, staff 12, superuser 12): "
    )


def test_a_healthy_site_passes_and_keeps_nothing(crawl):
    tests = crawl("crawlasis", CLEAN_URLS)
    assert (tests["URLCrawlSmoke"]["status"], tests["URLCrawlSmoke"]["message"]) == ("pass", "")
    assert rows_left() == NOTHING_LEFT


def test_atomic_requests_views_nest_inside_the_test_transaction(crawl):
    for alias in connections:
        connections[alias].settings_dict["ATOMIC_REQUESTS"] = True
    try:
        tests = crawl("crawlasis", CLEAN_URLS)
    finally:
        for alias in connections:
            connections[alias].settings_dict["ATOMIC_REQUESTS"] = False
    assert tests["URLCrawlSmoke"]["status"] == "pass", tests["URLCrawlSmoke"]["message"]
    assert rows_left() == NOTHING_LEFT


def test_requests_use_an_allowed_host_over_https_behind_a_proxy(crawl, settings):
    settings.ALLOWED_HOSTS = [".shop.example.com"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    tests = crawl("crawlasis", CLEAN_URLS, host="shop.example.com")
    assert (tests["URLCrawlSmoke"]["status"], tests["URLCrawlSmoke"]["message"]) == ("pass", "")


def test_a_slow_route_times_out_and_stops_the_crawl(crawl, client):
    start = time.monotonic()
    tests = crawl("crawlslow", SLOW_URLS)
    elapsed = time.monotonic() - start
    assert tests["SlowCrawl"]["message"] == (
        "2 problems in 6 requests (made as anonymous 2, staff 0): "
        "GET /slow/ (slow) as anonymous: timed out after 0.5 s; stopped: 4 of 6 requests not made"
    )
    assert tests["OutOfTime"]["message"] == (
        "2 problems in 6 requests (made as anonymous 2, staff 0): GET /slow/ (slow) as anonymous: "
        "interrupted at the test's time limit "
        "(3 s: raise timeout to allow more); stopped: 4 of 6 requests not made"
    )
    assert tests["OutOfTime"]["status"] == "fail"  # it stopped itself: the runner did not have to abandon it
    assert elapsed < 8
    assert rows_left() == NOTHING_LEFT
    # The process is left as it was: connections recycle, the site answers.
    for signal in (request_started, request_finished):
        assert signal.disconnect(close_old_connections)
        signal.connect(close_old_connections)
    assert client.get("/", HTTP_HOST="testserver").status_code == 200


def test_parameterless_routes_in_urlconf_order():
    routes = parameterless_routes(URLS)
    assert [(route.path, route.name) for route in routes] == [
        ("/", "home"),
        ("/members/", "members"),
        ("/go-home/", "go-home"),
        ("/writes/", "writes"),
        ("/host/", None),
        ("/https/", "https"),
        ("/stream/", "stream"),
        ("/staff-page/", "staff-page"),
        ("/super-page/", "super-page"),
        ("/danger/", "danger"),
        ("/private/area/", None),
        ("/shop/cart/", "shop:cart"),
    ]


@pytest.mark.parametrize(
    "pattern, matched",
    [
        ("shop:*", ["/shop/cart/"]),
        ("/private/*", ["/private/area/"]),
        ("*-page", ["/staff-page/", "/super-page/"]),
        ("/", ["/"]),
        ("nothing", []),
    ],
)
def test_skip_patterns_match_names_or_paths(pattern, matched):
    assert [route.path for route in parameterless_routes(URLS) if route.matches([pattern])] == matched


def test_deadline_interrupts_python_code_and_never_fires_late():
    start = time.monotonic()
    with pytest.raises(DeadlineExceeded), deadline(0.2):
        while True:
            pass
    assert time.monotonic() - start < 2
    with deadline(0.2):
        pass
    time.sleep(0.3)  # a cancelled deadline raises nothing afterwards
    end = time.monotonic() + 0.3
    while time.monotonic() < end:
        pass


def test_client_errors_stay_out_of_the_log_and_server_errors_do_not(crawl, caplog):
    caplog.set_level(logging.INFO, logger="django.request")
    crawl("crawl")
    logged = {(record.levelname, record.request.path) for record in caplog.records if record.name == "django.request"}
    assert ("WARNING", "/members/") not in logged  # 403 for anonymous
    assert ("ERROR", "/super-page/") in logged
    assert ("ERROR", "/staff-page/") in logged
    assert not logging.getLogger("django.request").filters


def test_no_user_is_created_outside_the_rolled_back_transaction(crawl, settings):
    settings.SMOKETEST_DATABASES = ["other"]
    tests = crawl("crawl")
    assert tests["CustomRoles"]["message"] == (
        "refusing to create a user for role 'staff' on database 'default': it is not inside the smoke test's "
        "rolled-back transaction (is it left out of SMOKETEST_DATABASES?)"
    )
    assert User.objects.count() == 0


def test_each_request_is_rolled_back_so_one_view_cannot_break_the_next(crawl):
    # On PostgreSQL the duplicate view leaves its transaction aborted: without
    # a savepoint per request, every later request would fail.
    tests = crawl("crawlasis", "tests.smokeapps.crawl.aborting_urls")
    assert (tests["URLCrawlSmoke"]["status"], tests["URLCrawlSmoke"]["message"]) == ("pass", "")
    assert rows_left() == NOTHING_LEFT


def test_a_request_that_leaves_the_database_unusable_stops_the_crawl(crawl):
    tests = crawl("crawlasis", "tests.smokeapps.crawl.open_atomic_urls")
    assert tests["URLCrawlSmoke"]["status"] in ("fail", "error")
    assert (
        "GET /open/ (open) as anonymous: TransactionManagementError: a smoke test left an atomic block open on "
        "'default'; its connection was dropped; after it database 'default' was unusable; "
        "stopped: 10 of 12 requests not made"
    ) in tests["URLCrawlSmoke"]["message"]
    assert rows_left() == NOTHING_LEFT


def test_a_role_the_site_logs_out_fails_naming_the_role_and_the_url(crawl, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.smokeapps.crawl.logout_middleware.EndIncompleteProfiles"]
    test = crawl("crawlasis", CLEAN_URLS)["URLCrawlSmoke"]
    assert test["status"] == "fail"
    first = parameterless_routes()[0].label
    requests = len(parameterless_routes())
    lost = [
        f"{first} as {role}: the site ended the role's session (it is no longer logged in as its user), "
        f"so its {requests - 1} remaining requests were not made; skip the route if it logs out on purpose"
        for role in ("authenticated", "staff", "superuser")
    ]
    assert test["message"] == (
        f"3 problems in {4 * requests} requests (made as anonymous {requests}, authenticated 1, staff 1, "
        f"superuser 1): " + "; ".join(lost)
    )
    assert rows_left() == NOTHING_LEFT
