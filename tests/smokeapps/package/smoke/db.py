from smoketest import SmokeTest


class DatabaseSmoke(SmokeTest):
    def test_b(self):
        pass

    def test_a(self):
        pass
