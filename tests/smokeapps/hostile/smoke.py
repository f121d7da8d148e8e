"""Smoke tests that try to get their writes committed past the guards:
each writes a widget named after itself, then tries one way to commit it."""

import contextlib

from django.conf import settings
from django.db import connection

from smoketest import SmokeTest
from tests.testapp.models import Widget


def vendor(*names):
    """Run the test only on these backends (skipped elsewhere)."""

    def decorate(test):
        def run(self):
            if connection.vendor not in names:
                self.skipTest(f"{', '.join(names)} only")
            test(self)

        run.__name__ = test.__name__
        return run

    return decorate


class Commits(SmokeTest):
    def setUp(self):
        Widget.objects.create(name=self._testMethodName)
        Widget.objects.using("other").create(name=self._testMethodName)

    def sql(self, statement):
        with connection.cursor() as cursor:
            cursor.execute(statement)

    def raw_sql(self, statement):
        cursor = connection.connection.cursor()
        try:
            cursor.execute(statement)
        finally:
            cursor.close()

    def test_block_comment_then_commit(self):
        self.sql("/* a comment */ COMMIT")

    def test_line_comment_then_commit(self):
        self.sql("-- a comment\nCOMMIT")

    def test_nested_comment_then_end(self):
        self.sql("/* outer /* inner */ still a comment */ END")

    @vendor("postgresql")
    def test_select_then_commented_end(self):
        self.sql("SELECT 1; /* */ END")

    @vendor("mysql")
    def test_executable_comment_commit(self):
        self.sql("/*!COMMIT*/")

    @vendor("postgresql", "mysql")
    def test_bytes_commit(self):
        self.sql(b"COMMIT")

    @vendor("postgresql")
    def test_composed_commit(self):
        from psycopg import sql

        self.sql(sql.SQL("COMMIT"))

    @vendor("postgresql")
    def test_commit_and_chain(self):
        self.raw_sql("COMMIT AND CHAIN")

    def test_driver_commit(self):
        connection.connection.commit()

    def test_driver_cursor_commit(self):
        self.raw_sql("COMMIT")

    def test_driver_cursor_end(self):
        self.raw_sql("END" if connection.vendor != "mysql" else "COMMIT WORK")

    def test_refused_commit_swallowed_then_writes(self):
        with contextlib.suppress(Exception):
            connection.connection.commit()
        Widget.objects.create(name="after-refused-commit")

    def test_driver_rollback_then_writes(self):
        with contextlib.suppress(Exception):
            self.raw_sql("ROLLBACK")
        Widget.objects.create(name="after-rollback")
        with contextlib.suppress(Exception):
            connection.connection.commit()

    @vendor("sqlite")
    def test_executescript(self):
        connection.connection.executescript("INSERT INTO testapp_widget (name) VALUES ('script');")

    @vendor("mysql")
    def test_set_autocommit_variable(self):
        self.raw_sql("SET @@autocommit = 1")

    @vendor("mysql")
    def test_set_names_and_autocommit(self):
        self.raw_sql("SET NAMES utf8mb4, autocommit = 1")

    @vendor("mysql")
    def test_check_table(self):
        self.raw_sql("CHECK TABLE testapp_widget")

    @vendor("mysql")
    def test_guessed_xa_end(self):
        self.raw_sql("XA END 'smoketest'")
        self.raw_sql("XA COMMIT 'smoketest' ONE PHASE")

    @vendor("mysql")
    def test_driver_query_commit(self):
        connection.connection.query(b"COMMIT")

    @vendor("postgresql")
    def test_driver_execute_commit(self):
        connection.connection.execute("COMMIT")

    @vendor("mysql")
    def test_driver_autocommit(self):
        connection.connection.autocommit(True)

    def test_guard_table_through_django(self):
        self.sql("DELETE FROM smoketest_guard")
        self.sql("COMMIT")

    @vendor("sqlite")
    def test_guard_table_through_the_driver(self):
        self.raw_sql("DELETE FROM temp.smoketest_guard")
        connection.connection.commit()

    @vendor("postgresql")
    def test_session_read_write(self):
        self.sql("SET default_transaction_read_only = off")


class Reconnects(SmokeTest):
    def test_connect_then_writes(self):
        Widget.objects.create(name="before-connect")
        connection.connect()
        Widget.objects.create(name="after-connect")

    def test_close_then_writes(self):
        Widget.objects.create(name="before-close")
        connection.close()
        Widget.objects.create(name="after-close")

    def test_connect_before_any_statement(self):
        connection.connect()
        Widget.objects.create(name="fresh-connection")

    def test_driver_autocommit_first(self):
        raw = connection.connection
        if connection.vendor == "postgresql":
            raw.autocommit = True
        elif connection.vendor == "mysql":
            raw.autocommit(True)
        else:
            raw.isolation_level = None
        Widget.objects.create(name="driver-autocommit")


class KeptCursors(SmokeTest):
    """A driver cursor kept from one test (with its statement compiled, on
    SQLite) and used again in the next, before anything else: the write it
    sends still begins the guarded transaction first."""

    parallel = False  # both tests on one connection, in order
    INSERT = "INSERT INTO testapp_widget (name) VALUES ('kept-cursor')"
    kept = None

    def test_a_keep(self):
        raw = connection.connection
        cursor = raw.execute(self.INSERT) if connection.vendor == "sqlite" else raw.cursor()
        if connection.vendor != "sqlite":
            cursor.execute(self.INSERT)
        type(self).kept = cursor

    def test_b_write_through_it(self):
        self.kept.execute(self.INSERT)


class Interrupts(SmokeTest):
    def test_a_before(self):
        Widget.objects.create(name="interrupt-before")

    def test_b_interrupt(self):
        Widget.objects.create(name="interrupt")
        raise KeyboardInterrupt

    def test_c_after(self):
        Widget.objects.create(name="interrupt-after")

    def test_d_other_base_exception(self):
        raise GeneratorExit


class Settings(SmokeTest):
    # Settings are the process's: a test running beside this one would see
    # the change too (and be reported for it), so its tests run alone, in order.
    parallel = False

    def test_a_debug(self):
        settings.DEBUG = True

    def test_b_sees_the_original(self):
        self.assertFalse(settings.DEBUG)
