"""Class fixtures that end their class's transaction through the driver and
swallow the error, as a careless helper would; the class's tests then run
(or not, when the fixture raises after)."""

import contextlib

from django.db import connection

from smoketest import SmokeTest
from tests.testapp.models import Widget


def write_then_commit_through_the_driver():
    Widget.objects.create(name="set-up-class")
    with contextlib.suppress(Exception):
        connection.connection.commit()


class EndsItsClassTransaction(SmokeTest):
    @classmethod
    def setUpClass(cls):
        write_then_commit_through_the_driver()

    def test_a_writes(self):
        Widget.objects.create(name="a")

    def test_b_fails(self):
        self.fail("its own failure")


class EndsItsClassTransactionThenRaises(SmokeTest):
    @classmethod
    def setUpClass(cls):
        write_then_commit_through_the_driver()
        raise RuntimeError("no fixture today")

    def test_never_runs(self):
        Widget.objects.create(name="never")
