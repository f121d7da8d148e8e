from django.urls import include, path

from tests.smokeapps.crawl.views import never_requested, ok
from tests.smokeapps.posting import views

urlpatterns = [
    path("", ok, name="home"),
    path("widgets/new/", views.WidgetCreate.as_view(), name="widget-create"),
    path("widgets/lost/", views.LosingCreate.as_view(), name="widget-lost"),
    path("widgets/staff/", views.StaffBreaksCreate.as_view(), name="widget-staff"),
    path("widgets/members/", views.MembersCreate.as_view(), name="widget-members"),
    path("widgets/singleton/", views.SingletonUpdate.as_view(), name="widget-singleton"),
    path("widgets/<int:pk>/edit/", never_requested, name="widget-edit"),
    path("upload/", views.UploadCreate.as_view(), name="upload"),
    path("contact/", views.NotAModelForm.as_view(), name="contact"),
    path("smoketest/", include("smoketest.urls")),
]
