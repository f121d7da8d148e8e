from django.urls import path

from smoketest.views import SmokeTestView

app_name = "smoketest"

urlpatterns = [
    path("", SmokeTestView.as_view(), name="smoketest"),
]
