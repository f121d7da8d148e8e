"""A class fixture that ends its class's transaction through the driver and
swallows the error, as a careless helper would; the class's tests then run."""

import contextlib

from django.db import connection

from smoketest import SmokeTest
from tests.testapp.models import Widget


class EndsItsClassTransaction(SmokeTest):
    @classmethod
    def setUpClass(cls):
        Widget.objects.create(name="set-up-class")
        with contextlib.suppress(Exception):
            connection.connection.commit()

    def test_a_writes(self):
        Widget.objects.create(name="a")

    def test_b_fails(self):
        self.fail("its own failure")


class EndsItsClassTransactionThenRaises(SmokeTest):
    @classmethod
    def setUpClass(cls):
        Widget.objects.create(name="set-up-class")
        with contextlib.suppress(Exception):
            connection.connection.commit()
        raise RuntimeError("no fixture today")

    def test_never_runs(self):
        Widget.objects.create(name="never")
