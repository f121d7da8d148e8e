from smoketest import SmokeTest

from .db import DatabaseSmoke  # noqa: F401  (re-exported: must still run once)


class TopLevel(SmokeTest):
    def test_top(self):
        pass
