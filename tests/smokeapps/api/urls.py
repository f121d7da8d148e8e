from django.urls import include, path
from rest_framework.routers import SimpleRouter

from tests.smokeapps.api import views

router = SimpleRouter()
router.register("notes", views.NoteViewSet, basename="notes")

urlpatterns = [
    path("", views.page, name="home"),
    path("account/", views.account, name="account"),
    path("accounts/login/", views.page, name="login"),
    path("api/open/", views.OpenView.as_view(), name="api-open"),
    path("api/readonly/", views.ReadOnlyView.as_view(), name="api-readonly"),
    path("api/private/", views.PrivateView.as_view(), name="api-private"),
    path("api/health/", views.HealthView.as_view(), name="api-health"),
    path("api/", include(router.urls)),
    path("smoketest/", include("smoketest.urls")),
]
