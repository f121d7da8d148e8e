import unittest

from smoketest import SmokeTest

CALLS = []


def setUpModule():
    raise unittest.SkipTest("the module is off today")


class Skipped(SmokeTest):
    def test_skipped(self):
        CALLS.append("test")
