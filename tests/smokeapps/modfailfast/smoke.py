from smoketest import SmokeTest

CALLS = []


def setUpModule():
    CALLS.append("setUpModule")


def tearDownModule():
    CALLS.append("tearDownModule")


class FailsFirst(SmokeTest):
    def test_a_fails(self):
        CALLS.append("test_a_fails")
        self.fail("first")

    def test_b_not_run(self):
        CALLS.append("test_b_not_run")
