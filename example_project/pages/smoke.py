from django.test import Client

from smoketest import SmokeTest


class HomePageSmoke(SmokeTest):
    def test_home_page_lists_notes(self):
        response = Client().get("/")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Welcome", response.content.decode())
