from django.urls import path

from smoketest.web.views import SmokeTestView, ping

app_name = "smoketest"

urlpatterns = [
    path("", SmokeTestView.as_view(), name="smoketest"),
    path("ping/", ping, name="ping"),
]
