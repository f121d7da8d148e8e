"""APIPermissionSmoke: the URLconf's DRF endpoints, asked about anonymous
requests through their own permission classes, never run."""

import pytest

from tests.conftest import by_name
from tests.smokeapps.api import views

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)

API = "tests.smokeapps.api.smoke"


@pytest.fixture
def api_site(smoke_apps, settings):
    smoke_apps("api")
    settings.ROOT_URLCONF = "tests.smokeapps.api.urls"
    views.HANDLED.clear()


def test_every_open_endpoint_is_listed_with_its_view_and_permissions(api_site, get_json):
    response, document = get_json(test=f"{API}.APIPermissions")
    test = by_name(document)["test_api_endpoints_refuse_anonymous_requests"]
    assert test["status"] == "fail"
    problems = test["message"].split(": ", 1)[1].split("; ")
    assert test["message"].startswith("3 API endpoints let anonymous requests through (list the ones meant to be")
    assert problems == [
        "GET, POST /api/open/ (api-open) -> tests.smokeapps.api.views.OpenView (permission classes: AllowAny)",
        "GET /api/readonly/ (api-readonly) -> tests.smokeapps.api.views.ReadOnlyView "
        "(permission classes: IsAuthenticatedOrReadOnly)",
        "GET /api/notes/ (notes-list) -> tests.smokeapps.api.views.NoteViewSet.list (permission classes: AllowAny)",
    ]
    # Not listed: the private view, the read-only view's POST, the viewset's
    # create and retrieve, the endpoint listed in ``public``, and the smoke
    # test endpoint itself.
    assert response.status_code == 500
    assert views.HANDLED == []


def test_endpoints_listed_in_public_and_methods_left_out_pass(api_site, get_json):
    _, document = get_json(test=f"{API}.ReadsMayBeOpen")
    test = by_name(document)["test_api_endpoints_refuse_anonymous_requests"]
    # Only writes are checked, and every one but the public ones is refused.
    assert (test["status"], test["message"]) == ("pass", "")
    assert views.HANDLED == []


def test_wildcards_in_public_match_route_names_and_patterns(api_site, get_json, monkeypatch):
    from tests.smokeapps.api.smoke import APIPermissions

    monkeypatch.setattr(APIPermissions, "public", ["api-*", "/api/notes/"])
    _, document = get_json(test=f"{API}.APIPermissions")
    assert by_name(document)["test_api_endpoints_refuse_anonymous_requests"]["status"] == "pass"


def test_a_site_without_drf_views_skips(smoke_apps, get_json, settings):
    smoke_apps("api")
    settings.ROOT_URLCONF = "tests.urls"  # only the smoke test endpoint, which is never checked
    _, document = get_json(test=f"{API}.APIPermissions")
    test = by_name(document)["test_api_endpoints_refuse_anonymous_requests"]
    assert (test["status"], test["message"]) == ("skip", "no Django REST framework view in the URLconf")


def test_a_permission_that_raises_is_reported_and_routes_with_parameters_are_checked(api_site, get_json, settings):
    settings.ROOT_URLCONF = "tests.smokeapps.api.broken_urls"
    _, document = get_json(test=f"{API}.APIPermissions")
    test = by_name(document)["test_api_endpoints_refuse_anonymous_requests"]
    assert (test["status"], test["message"]) == (
        "fail",
        "2 API endpoints let anonymous requests through (list the ones meant to be open in public): GET, POST "
        "/api/broken/ (api-broken) -> tests.smokeapps.api.views.BrokenPermissionView: could not check its "
        "permissions: RuntimeError: the permission broke; GET, POST /api/open/<int:pk>/ (api-open-item) -> "
        "tests.smokeapps.api.views.OpenView (permission classes: AllowAny)",
    )
    assert views.HANDLED == []
