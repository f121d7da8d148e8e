"""Module fixtures around classes whose tests are spread over the workers
(no class fixtures, no setUp): setUpModule before all, tearDownModule and the
module cleanup after all, once each."""

import time
import unittest

from smoketest import SmokeTest
from tests.smokeapps.modfixtures.events import record
from tests.testapp.models import Widget

READY = False


def setUpModule():
    global READY
    record("setUpModule", __name__)
    Widget.objects.create(name=f"written by setUpModule of {__name__}")
    unittest.addModuleCleanup(record, "cleanup", __name__)
    time.sleep(0.2)  # units of this module taken meanwhile wait for it
    READY = True


def tearDownModule():
    global READY
    READY = False
    record("tearDownModule", __name__)


class One(SmokeTest):
    def test_a(self):
        self.check()

    def test_b(self):
        self.check()

    def check(self):
        record(f"{type(self).__name__}.{self._testMethodName}", __name__)
        assert READY, "setUpModule has not finished"
        time.sleep(0.1)
        record("end", __name__)


class Two(One):
    pass
