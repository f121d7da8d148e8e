from django.urls import include, path

from tests.smokeapps.crawl import views

urlpatterns = [
    path("", views.ok, name="home"),
    path("slow/", views.slow, name="slow"),
    path("after/", views.never_requested, name="after"),
    path("smoketest/", include("smoketest.urls")),
]
