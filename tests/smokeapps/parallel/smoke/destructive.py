"""Smoke tests that destroy every row, each in its own class so that they
run at the same time; a test suite checks that every row survives."""

import contextlib
import time

from django.db import IntegrityError, connections, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat

from smoketest import SmokeTest
from smoketest.engine.isolation import CommitForbidden
from tests.smokeapps.parallel.spans import span
from tests.testapp.models import Widget

ROWS = 10  # what the test suite creates on each alias before the run
PAUSE = 0.3  # long enough for the other workers to start meanwhile
ALIASES = ("default", "other")  # always in this order, so concurrent writers cannot deadlock


class Destructive:
    """Pause, destroy (``destroy``), then hold the transaction open a while."""

    def destroy(self) -> None:
        raise NotImplementedError

    def test_destroys(self):
        with span(self.id()):
            time.sleep(PAUSE)
            self.destroy()
            time.sleep(PAUSE)


class DeletesEveryRow(Destructive, SmokeTest):
    def destroy(self):
        for alias in ALIASES:
            Widget.objects.using(alias).all().delete()
            self.assertEqual(Widget.objects.using(alias).count(), 0)


class RenamesEveryRow(Destructive, SmokeTest):
    def destroy(self):
        for alias in ALIASES:
            Widget.objects.using(alias).update(name=Concat(F("name"), Value("-renamed")))


class TruncatesTheTable(Destructive, SmokeTest):
    def destroy(self):
        for alias in ALIASES:
            with connections[alias].cursor() as cursor:
                vendor = connections[alias].vendor
                table = connections[alias].ops.quote_name(Widget._meta.db_table)
                if vendor == "mysql":
                    # TRUNCATE would commit implicitly: the guard refuses it.
                    with self.assertRaises(CommitForbidden):
                        cursor.execute(f"TRUNCATE TABLE {table}")
                    cursor.execute(f"DELETE FROM {table}")
                else:
                    cursor.execute(f"{'DELETE FROM' if vendor == 'sqlite' else 'TRUNCATE'} {table}")


class CommitsItsDeletes(Destructive, SmokeTest):
    def destroy(self):
        for alias in ALIASES:
            Widget.objects.using(alias).all().delete()
        transaction.commit()


class CommitsRawSQL(Destructive, SmokeTest):
    def destroy(self):
        for alias in ALIASES:
            with connections[alias].cursor() as cursor:
                cursor.execute(f"DELETE FROM {Widget._meta.db_table}")
                cursor.execute("COMMIT")


class BreaksItsTransaction(Destructive, SmokeTest):
    def destroy(self):
        Widget.objects.all().delete()
        Widget.objects.create(name="dup")
        with contextlib.suppress(IntegrityError):
            Widget.objects.create(name="dup")
        Widget.objects.count()  # errors on PostgreSQL: the transaction is aborted


class SeesEveryRow(SmokeTest):
    """Reads while the others have deleted every row, uncommitted: sees them all."""

    def test_sees_every_row(self):
        with span(self.id()):
            time.sleep(PAUSE * 1.5)
            for alias in ALIASES:
                self.assertEqual(Widget.objects.using(alias).count(), ROWS)
