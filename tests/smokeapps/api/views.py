"""A small site with a DRF API: open, read-only-open, private and meant-to-be-public endpoints."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from rest_framework import permissions, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

# The handlers that ran, by view: APIPermissionSmoke must leave it empty.
HANDLED: list[str] = []


def page(request):
    return HttpResponse("a page")


account = login_required(page)


class Handler(APIView):
    def get(self, request, **kwargs):
        HANDLED.append(f"GET {type(self).__name__}")
        return Response({"ok": True})

    def post(self, request, **kwargs):
        HANDLED.append(f"POST {type(self).__name__}")
        return Response({"ok": True}, status=201)


class OpenView(Handler):
    permission_classes = [permissions.AllowAny]


class ReadOnlyView(Handler):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]


class PrivateView(Handler):
    permission_classes = [permissions.IsAuthenticated]


class HealthView(Handler):
    permission_classes = [permissions.AllowAny]
    http_method_names = ["get"]


class NoteViewSet(viewsets.ViewSet):
    """Private, except its list, which ``get_permissions`` opens by action."""

    permission_classes = [permissions.IsAuthenticated]

    def get_permissions(self):
        return [permissions.AllowAny()] if self.action == "list" else super().get_permissions()

    def list(self, request):
        HANDLED.append("list NoteViewSet")
        return Response([])

    def create(self, request):
        HANDLED.append("create NoteViewSet")
        return Response({}, status=201)

    def retrieve(self, request, pk=None):
        HANDLED.append("retrieve NoteViewSet")
        return Response({})


class BrokenPermission(permissions.BasePermission):
    def has_permission(self, request, view):
        raise RuntimeError("the permission broke")


class BrokenPermissionView(Handler):
    permission_classes = [BrokenPermission]
