import time

from smoketest import SmokeTest

SECONDS = 0.25


class SlowSmoke(SmokeTest):
    def test_takes_a_while(self):
        time.sleep(SECONDS)
