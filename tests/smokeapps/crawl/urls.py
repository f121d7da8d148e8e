"""A URLconf with routes that answer, break under some roles, or take parameters."""

from django.urls import include, path, re_path
from django.views.generic import RedirectView

from tests.smokeapps.crawl import views

shop = (
    [path("cart/", views.never_requested, name="cart"), path("<slug:slug>/", views.never_requested, name="product")],
    "shop",
)

clean = [
    path("", views.ok, name="home"),
    path("members/", views.members_only, name="members"),
    path("go-home/", RedirectView.as_view(url="/"), name="go-home"),
    path("writes/", views.writes, name="writes"),
    path("host/", views.allowed_host_only),
    path("https/", views.https_only, name="https"),
    path("stream/", views.endless_stream, name="stream"),
    path("items/<int:pk>/", views.never_requested, name="item"),
    re_path(r"^archive/(?P<year>[0-9]{4})/$", views.never_requested, name="archive"),
    path("smoketest/", include("smoketest.urls")),
]

urlpatterns = [
    *clean,
    path("staff-page/", views.staff_raises, name="staff-page"),
    path("super-page/", views.superuser_500, name="super-page"),
    path("danger/", views.never_requested, name="danger"),
    path("private/area/", views.never_requested),
    path("shop/", include(shop)),
]
