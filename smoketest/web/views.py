"""The endpoint: a thin DRF view around ``run_smoke_tests()``."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe
from rest_framework.exceptions import ParseError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from smoketest.core.settings import SettingDefault
from smoketest.engine.runner import run_smoke_tests
from smoketest.engine.selection import Selection, SelectionError, query_flag, selected_suite
from smoketest.reports.result import RunResult
from smoketest.web import access
from smoketest.web.flight import shared_result
from smoketest.web.negotiation import FallbackContentNegotiation
from smoketest.web.renderers import REPORT_RENDERERS


def _non_atomic(view: Callable[..., Any]) -> Callable[..., Any]:
    """``view`` outside ``ATOMIC_REQUESTS``' request-wide transaction on every alias."""
    for alias in settings.DATABASES:
        view = transaction.non_atomic_requests(using=alias)(view)
    return view


class SmokeTestView(APIView):
    """``GET``/``HEAD``: run the smoke tests (``?test=``, ``?tag=``,
    ``?exclude_tag=``, ``?failfast=1`` narrow the run), answer 200 on PASS,
    ``SMOKETEST_FAIL_STATUS`` on FAIL (the renderer decides: metrics answer
    200 either way) and 400 on a selection that names nothing.

    Its authentication, permission and throttle classes are the
    ``SMOKETEST_*`` settings unless a subclass or ``as_view()`` sets them;
    ``SMOKETEST_TOKEN`` is required on top of them whatever they are."""

    http_method_names = ["get", "head"]
    authentication_classes = SettingDefault("AUTHENTICATION_CLASSES")
    permission_classes = SettingDefault("PERMISSION_CLASSES")
    throttle_classes = SettingDefault("THROTTLE_CLASSES")
    renderer_classes = REPORT_RENDERERS
    content_negotiation_class = FallbackContentNegotiation
    versioning_class = None  # one endpoint, whatever the site's API versions

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Callable[..., Any]:
        # Tests open their own outermost transactions: keep ATOMIC_REQUESTS'
        # request-wide transaction out of the way on every alias.
        return _non_atomic(super().as_view(**initkwargs))

    def get_authenticators(self) -> list[Any]:
        return [access.SmoketestTokenAuthentication(), *super().get_authenticators()]

    def get_authenticate_header(self, request: Request) -> str | None:
        """DRF's challenge for a 401: the first authentication class's. The
        token's comes first when ``SMOKETEST_TOKEN`` is set; otherwise the
        mount's own first class picks it, as it would without the token."""
        token, *others = request.authenticators
        header: str | None = token.authenticate_header(request)
        if header is None and others:
            header = others[0].authenticate_header(request)
        return header

    def get_permissions(self) -> list[Any]:
        return [access.HasSmoketestToken(), *super().get_permissions()]

    def get_throttles(self) -> list[Any]:
        return [access.rated(cls)() for cls in self.throttle_classes]

    def get_renderer_context(self) -> dict[str, Any]:
        return {**super().get_renderer_context(), "disclosure": access.disclosure_for(self.request)}

    def get(self, request: Request) -> Response:
        query = request.query_params
        try:
            selection = Selection.from_query(query)
            failfast = query_flag(query, "failfast")
            if selection.narrows:  # a bad selection is refused before any run is started or joined
                selected_suite(selection)
        except SelectionError as exc:
            shown = self.get_renderer_context()["disclosure"]
            raise ParseError(str(exc) if shown.names else exc.without_names)
        key = ("run", selection, failfast)
        result = shared_result(key, lambda budget: run_smoke_tests(selection, failfast=failfast, run_timeout=budget))
        return Response(result, status=request.accepted_renderer.http_status(result))

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        if isinstance(response, Response):
            if isinstance(response.data, RunResult):
                _logged_already(response)
            response.add_post_render_callback(self._let_go)
        return response

    def _let_go(self, response: Response) -> None:
        """Once rendered, the answer's bytes belong to the response alone: DRF's
        view, request and response refer to one another, and would keep a
        large report in memory until the next garbage collection."""
        response.renderer_context = None
        self.response = None


def _logged_already(response: HttpResponse) -> HttpResponse:
    """A FAIL is an answer, not a server error: it is logged on the
    "smoketest" logger already, so keep it out of django.request (whose
    AdminEmailHandler would mail every poll during an outage)."""
    response._has_been_logged = True
    return response


@_non_atomic
@require_safe
def ping(request: HttpRequest) -> HttpResponse:
    """``GET``/``HEAD``: answer ``pong``, for liveness probes. It runs no test,
    touches no database (not even under ``ATOMIC_REQUESTS``), needs no token
    and is not throttled: it tells nothing but that the process answers."""
    response = HttpResponse("pong", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
