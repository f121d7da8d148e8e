from django.urls import include, path

urlpatterns = [
    path("smoketest/", include("smoketest.urls")),
]
