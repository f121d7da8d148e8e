"""A view that leaves an atomic block open, then one that would query."""

from django.urls import include, path

from tests.smokeapps.crawl import views

urlpatterns = [
    path("", views.ok, name="home"),
    path("open/", views.leaves_atomic_open, name="open"),
    path("count/", views.counts_widgets, name="count"),
    path("smoketest/", include("smoketest.urls")),
]
