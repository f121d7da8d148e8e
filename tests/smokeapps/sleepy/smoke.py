"""Twenty tests of 0.2 s each: a run long enough to interrupt."""

import time

from smoketest import SmokeTest


class Sleeps(SmokeTest):
    locals().update({f"test_sleeps_{index:02}": lambda self: time.sleep(0.2) for index in range(20)})
