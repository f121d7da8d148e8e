"""A smoke test that records how many runs of it overlap."""

import threading
import time

from smoketest import SmokeTest
from tests.testapp.models import Widget

LOCK = threading.Lock()
ACTIVE = [0]
MOST_AT_ONCE = [0]


class Concurrency(SmokeTest):
    def test_one_run_at_a_time(self):
        with LOCK:
            ACTIVE[0] += 1
            MOST_AT_ONCE[0] = max(MOST_AT_ONCE[0], ACTIVE[0])
        try:
            Widget.objects.create(name="concurrent")
            time.sleep(0.2)
            self.assertEqual(Widget.objects.filter(name="concurrent").count(), 1)
        finally:
            with LOCK:
                ACTIVE[0] -= 1
