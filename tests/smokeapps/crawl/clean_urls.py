"""Only the routes that answer under every role."""

from tests.smokeapps.crawl.urls import clean

urlpatterns = clean
