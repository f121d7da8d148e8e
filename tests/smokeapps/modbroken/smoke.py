import unittest

from smoketest import SmokeTest

CALLS = []


def setUpModule():
    unittest.addModuleCleanup(CALLS.append, "cleanup")
    raise RuntimeError("no module fixture today")


def tearDownModule():
    CALLS.append("tearDownModule")


class Broken(SmokeTest):
    def test_never_runs(self):
        CALLS.append("test")


class AlsoBroken(SmokeTest):
    def test_never_runs_either(self):
        CALLS.append("test")
