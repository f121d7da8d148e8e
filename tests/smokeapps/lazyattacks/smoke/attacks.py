"""Careless smoke tests aimed at the lazy start of the isolation guard: on a
worker's own connection the guarded transaction begins only with a test's
first statement, so each test here sends its FIRST statement some unusual
way (the raw driver, a cursor or connection kept from elsewhere, a driver
setting changed first...) and writes a widget named after itself."""

import contextlib
import sqlite3
import threading
import time

from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.utils import timezone

from smoketest import SmokeTest
from tests.smokeapps.hostile.smoke import vendor
from tests.testapp.models import Widget

INSERT = "INSERT INTO testapp_widget (name) VALUES ('{}')"


def raw_execute(statement, raw=None):
    cursor = (raw or connection.connection).cursor()
    try:
        cursor.execute(statement)
    finally:
        cursor.close()


class FirstStatements(SmokeTest):
    """Tests whose first statement is a write sent through the driver."""

    def name(self):
        return self._testMethodName

    def test_driver_cursor_write_first(self):
        raw_execute(INSERT.format(self.name()))

    def test_driver_executemany_first(self):
        cursor = connection.connection.cursor()
        marker = "?" if connection.vendor == "sqlite" else "%s"
        cursor.executemany(f"INSERT INTO testapp_widget (name) VALUES ({marker})", [("many-1",), ("many-2",)])
        cursor.close()

    def test_nested_atomic_first(self):
        with transaction.atomic(), transaction.atomic():
            Widget.objects.create(name=self.name())

    def test_savepoint_first(self):
        sid = transaction.savepoint()
        Widget.objects.create(name=self.name())
        transaction.savepoint_commit(sid)

    @vendor("sqlite")
    def test_connection_execute_first(self):
        connection.connection.execute(INSERT.format(self.name()))

    @vendor("sqlite")
    def test_connection_executemany_first(self):
        connection.connection.executemany("INSERT INTO testapp_widget (name) VALUES (?)", [("cm-1",), ("cm-2",)])

    @vendor("sqlite")
    def test_executescript_first(self):
        connection.connection.executescript(INSERT.format(self.name()) + ";")

    @vendor("sqlite")
    def test_iterdump_first_then_writes(self):
        list(connection.connection.iterdump())
        Widget.objects.create(name=self.name())

    @vendor("sqlite")
    def test_driver_savepoint_first_then_release(self):
        raw = connection.connection
        raw.execute("SAVEPOINT mine")
        raw.execute(INSERT.format(self.name()))
        raw.execute("RELEASE mine")

    @vendor("sqlite")
    def test_isolation_level_first_then_driver_commit(self):
        raw = connection.connection
        raw.isolation_level = "DEFERRED"
        raw.execute(INSERT.format(self.name()))
        raw.commit()

    @vendor("sqlite")
    def test_isolation_level_first_then_orm_writes(self):
        connection.connection.isolation_level = ""
        Widget.objects.create(name=self.name())

    @vendor("sqlite")
    def test_backup_into_the_connection_first(self):
        # Restore a snapshot of the database with one row more: the
        # connection has not begun its transaction yet.
        raw = connection.connection
        snapshot = sqlite3.connect(":memory:")
        try:
            raw.backup(snapshot)
            snapshot.execute(INSERT.format(self.name()))
            snapshot.commit()
            snapshot.backup(raw)
        finally:
            snapshot.close()

    @vendor("postgresql")
    def test_pg_rollback_and_write_in_one_driver_query(self):
        connection.connection.execute(f"ROLLBACK; {INSERT.format(self.name())}")

    @vendor("postgresql")
    def test_pg_pipeline_first(self):
        raw = connection.connection
        with raw.pipeline():
            raw.execute(INSERT.format(self.name()))

    @vendor("postgresql")
    def test_pg_pipeline_rollback_then_write(self):
        Widget.objects.count()
        raw = connection.connection
        with raw.pipeline():
            raw.execute("ROLLBACK")
            raw.execute(INSERT.format(self.name()))

    @vendor("postgresql")
    def test_pg_driver_transaction_first(self):
        raw = connection.connection
        with raw.transaction():
            raw.execute(INSERT.format(self.name()))

    @vendor("postgresql")
    def test_pg_driver_transaction_after_first(self):
        Widget.objects.count()
        raw = connection.connection
        with raw.transaction():
            raw.execute(INSERT.format(self.name()))

    @vendor("postgresql")
    def test_pg_set_autocommit_method_first(self):
        connection.connection.set_autocommit(True)
        Widget.objects.create(name=self.name())

    @vendor("postgresql")
    def test_pg_copy_first(self):
        with connection.connection.cursor() as cursor, cursor.copy("COPY testapp_widget (name) FROM STDIN") as copy:
            copy.write_row([self.name()])

    @vendor("postgresql")
    def test_pg_named_cursor_first_then_writes(self):
        with connection.connection.cursor(name="mine") as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchall()
        Widget.objects.create(name=self.name())

    @vendor("postgresql")
    def test_pg_driver_rollback_first_then_writes(self):
        connection.connection.rollback()
        Widget.objects.create(name=self.name())

    @vendor("mysql")
    def test_mysql_send_query_first(self):
        raw = connection.connection
        raw.send_query(INSERT.format(self.name()).encode())
        raw.read_query_result()

    @vendor("mysql")
    def test_mysql_set_autocommit_first(self):
        raw_execute("SET autocommit = 1")
        Widget.objects.create(name=self.name())

    @vendor("mysql")
    def test_mysql_set_session_autocommit_first_through_django(self):
        with connection.cursor() as cursor:
            cursor.execute("SET SESSION autocommit = 1")
        Widget.objects.create(name=self.name())

    @vendor("mysql")
    def test_mysql_driver_commit_first_then_writes(self):
        connection.connection.commit()
        Widget.objects.create(name=self.name())
        connection.connection.commit()

    @vendor("mysql")
    def test_mysql_driver_begin_first(self):
        connection.connection.begin()
        Widget.objects.create(name=self.name())

    @vendor("mysql")
    def test_mysql_change_user_then_writes(self):
        Widget.objects.count()
        settings = connection.settings_dict
        connection.connection.change_user(settings["USER"], settings["PASSWORD"], settings["NAME"])
        Widget.objects.create(name=self.name())


class Reconnects(SmokeTest):
    def test_connect_first_then_lift_read_only(self):
        # Writes fail after connect() ("read-only transaction"): the test
        # makes the new session writable again, as a developer might.
        connection.connect()
        lift = {
            "postgresql": "SET default_transaction_read_only = off",
            "mysql": "SET SESSION TRANSACTION READ WRITE",
            "sqlite": "PRAGMA query_only = OFF",
        }[connection.vendor]
        raw_execute(lift)
        Widget.objects.create(name=self._testMethodName)

    def test_driver_close_first_then_writes(self):
        connection.connection.close()
        Widget.objects.create(name=self._testMethodName)


class KeptAcrossTests(SmokeTest):
    """A blob handle and a plain sqlite3 cursor kept from one test, used
    first in the next (SQLite)."""

    parallel = False
    kept = {}

    @vendor("sqlite")
    def test_a_keep(self):
        session = Session.objects.create(session_key="k" * 32, session_data="kept-blob", expire_date=timezone.now())
        raw = connection.connection
        rowid = raw.execute("SELECT rowid FROM django_session WHERE session_key = ?", [session.pk]).fetchone()[0]
        # A statement compiled now, kept in sqlite3's statement cache.
        raw.execute(INSERT.format("compiled"))
        if hasattr(raw, "blobopen"):  # Python 3.11+
            type(self).kept["blob"] = raw.blobopen("django_session", "session_data", rowid)

    @vendor("sqlite")
    def test_b_write_kept_blob_first(self):
        if "blob" not in self.kept:
            self.skipTest("blobs: Python 3.11+")
        blob = self.kept.pop("blob")
        blob.write(b"X")
        blob.close()

    @vendor("sqlite")
    def test_c_plain_cursor_reuses_compiled_statement_first(self):
        sqlite3.Cursor(connection.connection).execute(INSERT.format("compiled"))


# Shared between the two tests below (module globals: a connection cache).
KEPT = {}
B_STARTED = threading.Event()
KEPT_READY = threading.Event()


class KeptAcrossWorkers(SmokeTest):
    """A driver connection kept in a module global by a test on one worker,
    used by a test on another worker after the first test ended (the first
    worker is then idle: no test transaction is open on it)."""

    @vendor("postgresql", "mysql")
    def test_a_keep_connection(self):
        B_STARTED.wait(5)
        KEPT["raw"] = connection.connection
        KEPT["thread"] = threading.current_thread()
        KEPT_READY.set()

    @vendor("postgresql", "mysql")
    def test_b_use_kept_connection(self):
        B_STARTED.set()
        if not KEPT_READY.wait(10):
            self.skipTest("the other test did not run")
        if KEPT["thread"] is threading.current_thread():
            self.skipTest("same worker")
        time.sleep(0.5)  # the other test has ended meanwhile
        raw = KEPT["raw"]
        raw_execute(INSERT.format(self._testMethodName), raw)
        raw.commit()


class AuthorizerReset(SmokeTest):
    """SQLite: a test checks which tables a query reads with an authorizer
    of its own, then resets it with None (it had none, it thinks): the
    guard's authorizer is gone for this connection's later tests."""

    parallel = False

    @vendor("sqlite")
    def test_a_own_authorizer_reset_to_none(self):
        raw = connection.connection
        read = []
        raw.set_authorizer(lambda action, arg1, *rest: read.append(arg1) or sqlite3.SQLITE_OK)
        Widget.objects.count()
        raw.set_authorizer(None)
        self.assertIn("testapp_widget", read)

    @vendor("sqlite")
    def test_b_driver_rollback_then_driver_write(self):
        # A later test writes through the driver, "starts over" after an
        # error the way the driver offers, and writes again.
        raw = connection.connection
        raw.execute(INSERT.format("before-rollback"))
        with contextlib.suppress(sqlite3.IntegrityError):
            raw.execute(INSERT.format("before-rollback"))
        raw.rollback()
        raw.execute(INSERT.format(self._testMethodName))

    @vendor("sqlite")
    def test_c_plain_cursor_first(self):
        sqlite3.Cursor(connection.connection).execute(INSERT.format(self._testMethodName))


class MysqlSendQuery(SmokeTest):
    """MySQL/MariaDB: mysqlclient's send_query()/read_query_result() (the
    two halves of query()) as a test's first statement; in the second test
    the session has autocommit off (left so by the first), and the test
    commits what it sent with the driver's commit()."""

    parallel = False

    @vendor("mysql")
    def test_a_reads(self):
        Widget.objects.count()

    @vendor("mysql")
    def test_b_send_query_first_then_driver_commit(self):
        raw = connection.connection
        raw.send_query(INSERT.format(self._testMethodName).encode())
        raw.read_query_result()
        raw.commit()
