from smoketest import SmokeTest


class Nested(SmokeTest):
    def test_deep(self):
        pass
