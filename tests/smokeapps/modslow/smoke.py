import time

from smoketest import SmokeTest

CALLS = []


def setUpModule():
    for _ in range(60):  # 3 s, interruptible between the sleeps
        time.sleep(0.05)
    CALLS.append("set up")


def tearDownModule():
    CALLS.append("tearDownModule")


class Hung(SmokeTest):
    def test_one(self):
        CALLS.append("test")

    def test_two(self):
        CALLS.append("test")
