"""Mounts of the view the way DRF users make them: subclasses, ``as_view()``
arguments, two mounts with different access side by side."""

from ipaddress import ip_address, ip_network

from django.urls import include, path
from rest_framework.authentication import BasicAuthentication
from rest_framework.permissions import BasePermission, IsAdminUser, IsAuthenticated
from rest_framework.throttling import SimpleRateThrottle

from smoketest.web.renderers import JSONRenderer
from smoketest.web.views import SmokeTestView

INSIDE = ip_network("10.0.0.0/8")


class FromInside(BasePermission):
    def has_permission(self, request, view):
        return ip_address(request.META["REMOTE_ADDR"]) in INSIDE


class InsideSmokeTestView(SmokeTestView):
    """An IP allow-list added in ``get_permissions``."""

    def get_permissions(self):
        return [*super().get_permissions(), FromInside()]


class StaffSmokeTestView(SmokeTestView):
    permission_classes = [IsAdminUser]


class OncePerMinute(SimpleRateThrottle):
    """One run a minute per client address, its rate its own (no setting)."""

    scope = "once"
    rate = "1/min"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class BasicSmokeTestView(SmokeTestView):
    """HTTP Basic instead of the session: a logged-in session is nobody here."""

    authentication_classes = [BasicAuthentication]
    permission_classes = [IsAuthenticated]


class OnceSmokeTestView(SmokeTestView):
    throttle_classes = [OncePerMinute]


class CallerHeaderMiddleware:
    """Sets a header for this caller only, on template responses (DRF's are)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_template_response(self, request, response):
        response["X-Caller"] = request.META.get("HTTP_X_CALLER", "nobody")
        return response


urlpatterns = [
    path("smoketest/", include("smoketest.urls")),
    path("inside/", InsideSmokeTestView.as_view()),
    path("staff/", StaffSmokeTestView.as_view()),
    path("admins/", SmokeTestView.as_view(permission_classes=[IsAdminUser])),
    path("json/", SmokeTestView.as_view(renderer_classes=[JSONRenderer])),
    path("anyone/", SmokeTestView.as_view(authentication_classes=[], permission_classes=[])),
    path("sessionless-admins/", SmokeTestView.as_view(authentication_classes=[], permission_classes=[IsAdminUser])),
    path("basic/", BasicSmokeTestView.as_view()),
    path("once/", SmokeTestView.as_view(throttle_classes=[OncePerMinute])),
    path("once-subclass/", OnceSmokeTestView.as_view()),
    path("unthrottled/", SmokeTestView.as_view(throttle_classes=[])),
]
