"""Views the crawl tests request: some answer, some break under some roles."""

import itertools
import time

from django.core.exceptions import DisallowedHost
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseForbidden, HttpResponseServerError, StreamingHttpResponse

from tests.testapp.models import Widget


def ok(request):
    return HttpResponse("ok")


def members_only(request):
    return ok(request) if request.user.is_authenticated else HttpResponseForbidden("members only")


def staff_raises(request):
    if request.user.is_staff and not request.user.is_superuser:
        raise RuntimeError("the staff page broke")
    return ok(request)


def superuser_500(request):
    return HttpResponseServerError("superusers only break") if request.user.is_superuser else ok(request)


def never_requested(request, **kwargs):
    raise RuntimeError(f"the crawl requested {request.path}")


def writes(request):
    Widget.objects.create(name=f"crawl-{request.user.pk}")
    return ok(request)


def allowed_host_only(request):
    try:
        return HttpResponse(request.get_host())
    except DisallowedHost:
        return HttpResponseServerError("the crawl sent a host that is not allowed")


def https_only(request):
    return ok(request) if request.is_secure() else HttpResponseServerError("the crawl did not use https")


def endless_stream(request):
    return StreamingHttpResponse(itertools.repeat(b"more\n"))


def slow(request):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        time.sleep(0.01)
    return ok(request)


def duplicate_caught(request):
    """A view that handles its own IntegrityError (on PostgreSQL, that aborts
    the transaction it runs in)."""
    Widget.objects.create(name="duplicate")
    try:
        Widget.objects.create(name="duplicate")
    except IntegrityError:
        return HttpResponse("already there")
    return ok(request)


def counts_widgets(request):
    return HttpResponse(str(Widget.objects.count()))


def leaves_atomic_open(request):
    transaction.atomic().__enter__()
    Widget.objects.create(name="left open")
    return ok(request)
