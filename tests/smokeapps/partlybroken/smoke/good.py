from smoketest import SmokeTest


class Good(SmokeTest):
    def test_good(self):
        pass
