from django.urls import include, path, re_path

from tests.smokeapps.api import views

urlpatterns = [
    path("api/broken/", views.BrokenPermissionView.as_view(), name="api-broken"),
    path("api/open/<int:pk>/", views.OpenView.as_view(), name="api-open-item"),
    re_path(r"^api/private/(?P<pk>[0-9]+)/$", views.PrivateView.as_view(), name="api-private-item"),
    path("smoketest/", include("smoketest.urls")),
]
