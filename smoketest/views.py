"""The endpoint: a thin DRF view around ``run_smoke_tests()``."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from smoketest import access
from smoketest.conf import smoketest_settings
from smoketest.negotiation import FallbackContentNegotiation
from smoketest.polling import shared_result
from smoketest.renderers import REPORT_RENDERERS
from smoketest.runner import run_smoke_tests


class SmokeTestView(APIView):
    """``GET``/``HEAD``: run the smoke tests, answer 200 on PASS and
    ``SMOKETEST_FAIL_STATUS`` on FAIL (the renderer decides: metrics answer
    200 either way)."""

    http_method_names = ["get", "head"]
    renderer_classes = REPORT_RENDERERS
    content_negotiation_class = FallbackContentNegotiation

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Callable[..., Any]:
        # Tests open their own outermost transactions: keep ATOMIC_REQUESTS'
        # request-wide transaction out of the way on every alias.
        view = super().as_view(**initkwargs)
        for alias in settings.DATABASES:
            view = transaction.non_atomic_requests(using=alias)(view)
        return view

    def get_authenticators(self) -> list[Any]:
        return [access.SmoketestTokenAuthentication(), *(cls() for cls in smoketest_settings.AUTHENTICATION_CLASSES)]

    def get_permissions(self) -> list[Any]:
        return [access.HasSmoketestToken(), *(cls() for cls in smoketest_settings.PERMISSION_CLASSES)]

    def get_throttles(self) -> list[Any]:
        return access.throttles()

    def get_renderer_context(self) -> dict[str, Any]:
        return {**super().get_renderer_context(), "disclosure": access.Disclosure.for_request(self.request)}

    def get(self, request: Request) -> Response:
        result = shared_result("all", run_smoke_tests)
        return Response(result, status=request.accepted_renderer.http_status(result))

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response
