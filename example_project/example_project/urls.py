from django.contrib import admin
from django.urls import include, path

from pages.views import home

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("smoketest/", include("smoketest.urls")),
]
