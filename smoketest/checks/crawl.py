"""Request every route without URL parameters under each role; no 5xx, no exception."""

from django.test import Client

from smoketest.checks.roles import RoleRequestsCheck
from smoketest.checks.routes import Route


class URLCrawlSmoke(RoleRequestsCheck):
    """GET every route that takes no URL parameter, under every role, with the
    test client; fail on any 5xx answer or exception, naming the request, the
    role and the status. Users for the roles are created inside the test's
    rolled-back transaction, so none survives the run."""

    tags = frozenset({"builtin", "urls"})

    def test_routes_answer_without_server_errors(self) -> None:
        routes = self.routes()
        if not routes:
            self.skipTest("no route without URL parameters to request")
        self.visit_routes(routes, self.check_get)

    def check_get(self, client: Client, route: Route, role: str) -> str:
        label = f"GET {route.label} as {role}"

        def get() -> str:
            status = self.get(client, route.path).status_code
            return f"{label}: status {status}" if status >= 500 else ""

        return self.attempt(label, get)
