"""A view that leaves a PostgreSQL transaction aborted, then views that query."""

from django.urls import include, path

from tests.smokeapps.crawl import views

urlpatterns = [
    path("duplicate/", views.duplicate_caught, name="duplicate"),
    path("count/", views.counts_widgets, name="count"),
    path("", views.ok, name="home"),
    path("smoketest/", include("smoketest.urls")),
]
