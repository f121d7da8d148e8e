"""The unit of work is the class: its tests run one after another on one
worker (``setUpClass`` once), while other classes run beside them."""

import time

from smoketest import SmokeTest
from tests.smokeapps.parallel.spans import span

SET_UP = []


class Plain(SmokeTest):
    def test_a(self):
        with span(self.id()):
            time.sleep(0.3)

    def test_b(self):
        with span(self.id()):
            time.sleep(0.3)


class WithClassFixtures(Plain):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        SET_UP.append(cls.__name__)


class WithSetUp(Plain):
    def setUp(self):
        self.prepared = True
