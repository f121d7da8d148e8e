"""Smoke tests that try every way of leaving data behind."""

import contextlib

from django.db import IntegrityError, connection, transaction

from smoketest import SmokeTest
from tests.testapp.models import Widget


class Writes(SmokeTest):
    def test_commit(self):
        Widget.objects.create(name="commit")
        transaction.commit()

    def test_raw_commit(self):
        Widget.objects.create(name="raw-commit")
        with connection.cursor() as cursor:
            cursor.execute("COMMIT")

    def test_raw_commit_after_statement(self):
        Widget.objects.create(name="raw-commit-2")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1; commit")

    def test_autocommit(self):
        Widget.objects.create(name="autocommit")
        transaction.set_autocommit(True)

    def test_on_commit(self):
        transaction.on_commit(lambda: Widget.objects.create(name="on-commit"))
        transaction.on_commit(lambda: Widget.objects.using("other").create(name="on-commit"), using="other")

    def test_durable_block(self):
        with transaction.atomic(durable=True):
            Widget.objects.create(name="durable")

    def test_leaves_atomic_open(self):
        transaction.atomic().__enter__()
        Widget.objects.create(name="left-open")
        transaction.atomic(using="other").__enter__()
        Widget.objects.using("other").create(name="left-open")

    def test_nested_atomic_commits_inside(self):
        with transaction.atomic():
            Widget.objects.create(name="nested")
        self.assertTrue(Widget.objects.filter(name="nested").exists())


class BrokenTransaction(SmokeTest):
    def test_a_breaks_the_transaction(self):
        Widget.objects.create(name="dup")
        with contextlib.suppress(IntegrityError):
            Widget.objects.create(name="dup")
        # On PostgreSQL the transaction is now aborted: this query errors.
        Widget.objects.count()

    def test_b_next_test_is_unaffected(self):
        self.assertEqual(Widget.objects.filter(name="dup").count(), 0)
        Widget.objects.create(name="dup")
