"""Records what runs in EVENTS, so tests can see what failfast stopped."""

from smoketest import SmokeTest

EVENTS = []


class AFixtures(SmokeTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        EVENTS.append("setUpClass")

    @classmethod
    def tearDownClass(cls):
        EVENTS.append("tearDownClass")
        super().tearDownClass()

    def test_0_passes(self):
        EVENTS.append("test_0_passes")

    def test_1_fails(self):
        EVENTS.append("test_1_fails")
        self.fail("the first problem")

    def test_2_passes(self):
        EVENTS.append("test_2_passes")


class BLater(SmokeTest):
    def test_errors(self):
        EVENTS.append("test_errors")
        raise RuntimeError("a later problem")
