"""Smoke tests that hang until the test suite releases them (``RELEASE``)."""

import threading
import time

from django.db import connection

from smoketest import SmokeTest, timeout
from tests.testapp.models import Widget

RELEASE = threading.Event()


class Hangs(SmokeTest):
    @timeout(2)
    def test_a_hangs_after_writing(self):
        Widget.objects.create(name="hung")
        Widget.objects.using("other").create(name="hung")
        RELEASE.wait(60)

    def test_b_runs_after_the_timeout(self):
        self.assertFalse(Widget.objects.filter(name="hung").exists())


class Spins(SmokeTest):
    @timeout(1)
    def test_spins_after_writing(self):
        Widget.objects.create(name="spun")
        total = 0
        while True:
            try:
                total = abs(total + 1)  # a call: Python 3.10 never switches threads in a loop without one
            except Exception:  # a broad except must not keep it spinning
                total = 0


class ClassLimit(SmokeTest):
    timeout = 1

    def test_waits(self):
        RELEASE.wait(60)


class HangingSetUpClass(SmokeTest):
    timeout = 1

    @classmethod
    def setUpClass(cls):
        RELEASE.wait(60)

    def test_one(self):
        pass

    def test_two(self):
        pass


class Budget(SmokeTest):
    def test_a_slow(self):
        time.sleep(0.6)

    def test_b_slow(self):
        time.sleep(0.6)

    def test_c_never_starts(self):
        pass


class SlowStatement(SmokeTest):
    @timeout(1)
    def test_sleeps_in_the_database(self):
        sql = {"postgresql": "SELECT pg_sleep(8)", "mysql": "SELECT SLEEP(8)"}[connection.vendor]
        with connection.cursor() as cursor:
            cursor.execute(sql)
            cursor.fetchall()
