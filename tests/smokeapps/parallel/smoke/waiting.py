"""Smoke tests that only wait, the first ones in the suite the longest, so
that in a parallel run they finish in the reverse of the report's order."""

import time

from smoketest import SmokeTest
from tests.smokeapps.parallel.spans import span


class Waiting:
    seconds = 0.0

    def test_waits(self):
        with span(type(self).__name__):
            time.sleep(self.seconds)


class AFailsSoon(SmokeTest):
    def test_fails(self):
        time.sleep(0.2)
        self.fail("the first problem")


class Waits0(Waiting, SmokeTest):
    seconds = 1.0


class Waits1(Waiting, SmokeTest):
    seconds = 0.9


class Waits2(Waiting, SmokeTest):
    seconds = 0.8


class Waits2Alone(Waiting, SmokeTest):
    seconds = 0.3
    parallel = False


class Waits3(Waiting, SmokeTest):
    seconds = 0.7

    def test_a_passes(self):
        pass


class Waits4(Waiting, SmokeTest):
    seconds = 0.6


class Waits4Alone(Waiting, SmokeTest):
    seconds = 0.3
    parallel = False


class Waits5(Waiting, SmokeTest):
    seconds = 0.5
