"""Django REST framework endpoints an anonymous request may use: the API that
went public. Found by walking the URLconf and asking each view's permission
classes, without requesting anything."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.test import RequestFactory
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.views import APIView

from smoketest.checks.base import BuiltinCheck, describe
from smoketest.checks.routes import Route, all_routes

# Methods a view answers that are not worth a permission check of their own.
NOT_CHECKED = ("head", "options", "trace")


@dataclass(frozen=True)
class Endpoint:
    """A route served by a DRF view: an ``APIView``, or a ViewSet's actions
    (``actions`` maps a method to its action, as a router binds them)."""

    route: Route
    cls: type[APIView]
    initkwargs: Mapping[str, Any] = field(default_factory=dict)
    actions: Mapping[str, str] | None = None

    @property
    def methods(self) -> list[str]:
        """The HTTP methods the view handles, upper case."""
        if self.actions is not None:
            handled = list(self.actions)
        else:
            handled = [method for method in self.cls.http_method_names if hasattr(self.cls, method)]
        return [method.upper() for method in handled if method not in NOT_CHECKED]

    def view_name(self, method: str) -> str:
        name = f"{self.cls.__module__}.{self.cls.__qualname__}"
        return f"{name}.{self.actions[method.lower()]}" if self.actions else name

    def anonymous_view(self, method: str) -> APIView:
        """The view as DRF sets it up for an anonymous ``method`` request to
        this route, up to (and not including) running its handler."""
        view = self.cls(**self.initkwargs)
        django_request = RequestFactory().generic(method, self.route.path)
        # No authenticators: the request is unauthenticated, its user DRF's
        # UNAUTHENTICATED_USER (AnonymousUser by default).
        request = Request(django_request)
        django_request.user = request.user
        view.request, view.args, view.kwargs = request, (), {}
        view.format_kwarg, view.headers = None, {}
        if self.actions is not None:
            view.action_map = dict(self.actions)
            view.action = self.actions.get(method.lower())
        return view


def api_endpoints(urlconf: str | None = None) -> list[Endpoint]:
    """Every route of the URLconf served by a DRF view, once per name (or
    path) and view: format-suffix copies of a route are left out."""
    endpoints: dict[tuple[str, Any], Endpoint] = {}
    for route in all_routes(urlconf):
        cls = getattr(route.callback, "cls", None)
        key = (route.name or route.path, route.callback)
        if not (isinstance(cls, type) and issubclass(cls, APIView)) or key in endpoints:
            continue
        actions = getattr(route.callback, "actions", None)
        initkwargs = getattr(route.callback, "initkwargs", None) or {}
        endpoints[key] = Endpoint(route, cls, initkwargs, actions)
    return list(endpoints.values())


class APIPermissionSmoke(BuiltinCheck):
    """No Django REST framework endpoint lets an anonymous request through its
    permission classes, except those listed in ``public``. The views are not
    run: each one's ``check_permissions`` is asked about an unauthenticated
    request, for every method it handles."""

    tags = frozenset({"builtin", "api", "permissions"})
    #: Endpoints meant to be open: route names (``"api:schema"``,
    #: ``"public-*"``) or paths (``"/api/health/"``, ``"/api/docs/*"``), with
    #: ``*`` wildcards. A path of a route with parameters is its pattern
    #: (``"/api/posts/<int:pk>/"``).
    public: Sequence[str] = ()
    #: The methods checked; leave out ``"GET"`` to let anonymous reads through.
    methods: Sequence[str] = ("GET", "POST", "PUT", "PATCH", "DELETE")
    #: Most endpoints listed in the message.
    listed: int = 20

    def test_api_endpoints_refuse_anonymous_requests(self) -> None:
        endpoints = api_endpoints()
        if not endpoints:
            self.skipTest("no Django REST framework view in the URLconf")
        # What is wrong -> the methods it is wrong for, so that one view open
        # to GET and POST is one entry.
        found: dict[str, list[str]] = {}
        for endpoint in endpoints:
            if endpoint.route.matches(self.public):
                continue
            for method in endpoint.methods:
                if method in self.methods and (problem := self.open_to_anonymous(endpoint, method)):
                    found.setdefault(problem, []).append(method)
        problems = [f"{', '.join(methods)} {problem}" for problem, methods in found.items()]
        if problems:
            shown = "; ".join(problems[: self.listed])
            rest = len(problems) - self.listed
            more = f"; and {rest} more" if rest > 0 else ""
            self.fail(
                f"{len(problems)} API endpoints let anonymous requests through "
                f"(list the ones meant to be open in public): {shown}{more}"
            )

    def open_to_anonymous(self, endpoint: Endpoint, method: str) -> str:
        """What is wrong with an anonymous ``method`` request to the endpoint (the
        method aside): it is let through, or its permissions cannot be checked;
        ``""`` when its permissions refuse it."""
        label = f"{endpoint.route.label} -> {endpoint.view_name(method)}"
        try:
            view = endpoint.anonymous_view(method)
            permissions = view.get_permissions()
            view.check_permissions(view.request)
        except APIException:  # NotAuthenticated, PermissionDenied: refused
            return ""
        except Exception as exc:
            return f"{label}: could not check its permissions: {describe(exc)}"
        names = ", ".join(type(permission).__name__ for permission in permissions) or "none"
        return f"{label} (permission classes: {names})"
