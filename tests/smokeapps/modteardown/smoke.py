import unittest

from smoketest import SmokeTest

CALLS = []


def _cleanup_that_fails():
    CALLS.append("failing cleanup")
    raise KeyError("gone")


def setUpModule():
    unittest.addModuleCleanup(CALLS.append, "cleanup")  # runs last, despite the errors before it
    unittest.addModuleCleanup(_cleanup_that_fails)


def tearDownModule():
    CALLS.append("tearDownModule")
    raise ValueError("teardown boom")


class Passes(SmokeTest):
    def test_passes(self):
        CALLS.append("test")
