from django.http import HttpResponse, HttpResponseRedirect, JsonResponse

from smoketest import SmokeTest

PAGE = HttpResponse("<main><h1>Catalogue</h1><p>3 products</p></main>")


class ResponseAssertions(SmokeTest):
    def test_contains_passes(self):
        self.assertContains(PAGE, "3 products")
        self.assertNotContains(PAGE, "Server Error")
        self.assertInHTML("<h1>Catalogue</h1>", PAGE.content.decode())

    def test_contains_fails(self):
        self.assertContains(PAGE, "Checkout")

    def test_contains_checks_the_status(self):
        self.assertContains(HttpResponse("down", status=503), "down")

    def test_redirects(self):
        self.assertRedirects(
            HttpResponseRedirect("/accounts/login/"), "/accounts/login/", fetch_redirect_response=False
        )

    def test_json_equal(self):
        self.assertJSONEqual(JsonResponse({"ok": True}).content, {"ok": False})
