"""Transactions the database server itself refuses to commit.

Each smoke test's transaction carries something the server will not let
through a commit, whatever path the commit takes:

- PostgreSQL: two equal rows in a session-temporary table whose ``UNIQUE
  DEFERRABLE INITIALLY DEFERRED`` constraint is checked at ``COMMIT`` only,
  where it fails: the server rolls the transaction back.
- SQLite: a row in a session-temporary table whose ``DEFERRABLE INITIALLY
  DEFERRED`` foreign key can never be satisfied (its parent table's check
  admits no row). SQLite refuses any ``COMMIT`` and keeps the transaction;
  its authorizer also refuses ``BEGIN``/``COMMIT``/``ROLLBACK`` outright.
- MySQL/MariaDB: an XA transaction with a random id, under which the server
  refuses ``COMMIT``, ``BEGIN``, ``ROLLBACK``, ``SET autocommit`` and every
  implicitly committing statement.

A guard also tells, when the test ends, whether the transaction it began is
still the one open (``end``), from what the driver knows client-side: no
extra round trip. On a worker's own connections the guard begins with the
test's first statement: PostgreSQL's row rides on the ``BEGIN`` psycopg
sends before it, SQLite's ``BEGIN`` and row run just before it, and MySQL's ``atomic()`` statements (autocommit off, the
rollback, autocommit on) wait for it, ``XA START`` just before it: a test
that touches no database sends no SQL to a server.
"""

import functools
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

try:
    import psycopg
    import psycopg.generators
except ImportError:  # only the PostgreSQL guard needs it; without it, it refuses to run
    pass

GUARD_TABLE = "smoketest_guard"
_PARENT_TABLE = "smoketest_guard_parent"
_SQLITE_CREATE_TABLES = (
    f"CREATE TEMP TABLE IF NOT EXISTS {_PARENT_TABLE} (id integer PRIMARY KEY CHECK (id <> id))",
    f"CREATE TEMP TABLE IF NOT EXISTS {GUARD_TABLE} (id integer REFERENCES {_PARENT_TABLE} (id)"
    " DEFERRABLE INITIALLY DEFERRED)",
)
_SQLITE_INSERT = f"INSERT INTO temp.{GUARD_TABLE} VALUES (0)"
# One table on PostgreSQL: what the server checks is an index, not triggers.
_PG_CREATE_TABLE = f"CREATE TEMP TABLE IF NOT EXISTS {GUARD_TABLE} (id integer UNIQUE DEFERRABLE INITIALLY DEFERRED)"
_PG_INSERT = f"INSERT INTO pg_temp.{GUARD_TABLE} VALUES (0), (0)"
_PG_BEGIN = f"BEGIN READ WRITE; {_PG_INSERT}".encode()
# The first guarded BEGIN of a session also creates the table, committed on
# its own first (the session may default to read-only) without waiting for
# the disk (the table ends with the session anyway): one round trip.
_PG_CREATE_AND_BEGIN = (
    "; ".join(("SET TRANSACTION READ WRITE", "SET LOCAL synchronous_commit = off", _PG_CREATE_TABLE, "COMMIT")).encode()
    + b"; "
    + _PG_BEGIN
)
# A worker's own session also defaults to read-only from then on: a
# transaction begun any other way than the guard's (a driver query that
# rolls back and writes on, a pipeline) cannot write.
_PG_OWNED_CREATE_AND_BEGIN = _PG_CREATE_AND_BEGIN.replace(b"; ", b"; SET default_transaction_read_only = on; ", 1)

# MySQL errors that mean the server refused a statement under the XA transaction.
_XA_REFUSALS = {1397: "XAER_NOTA", 1399: "XAER_RMFAIL", 1400: "XAER_OUTSIDE"}

_ATTRIBUTE = "_smoketest_guard"

# What a connection opened during a test is made, before its first statement.
_READ_ONLY_SESSION = {
    "postgresql": "SET default_transaction_read_only = on",
    "mysql": "SET SESSION TRANSACTION READ ONLY",
    "sqlite": "PRAGMA query_only = ON",
}


class Guard:
    """The guard of one connection wrapper (one thread's connection to one
    alias): ``prepare`` before the outermost ``atomic()``, ``begin`` after
    every guarded ``atomic()`` (nested ones: the tests of a class with
    fixtures), ``end`` before each is exited. ``owned``: the session ends
    with the run (a worker's), so its settings may be changed for the guard."""

    def __init__(self, connection: BaseDatabaseWrapper, owned: bool) -> None:
        self.connection = connection
        self.owned = owned
        self.raw: Any = None  # the driver connection prepared
        self.depth = 0
        # Per open level: what ``end`` compares with, and how many attempts the levels around it made.
        self.marks: list[tuple[Any, int]] = []
        self.attempts: list[str] = []  # refused statements, as the test wrote them
        self.reopened = False
        self.read_only = False  # the session refuses writes by itself: no guard row, a read-only transaction

    def prepare(self) -> None:
        """Once per driver connection, outside any transaction."""
        if self.connection.connection is None:
            self.connection.ensure_connection()
        raw = self.connection.connection
        if self.raw is not raw:
            self.read_only = False
            try:
                self._prepare(raw)
            except Exception:
                # A session the server keeps read-only cannot hold the guard,
                # and needs none: the test's transaction stays read-only too.
                if not self._session_read_only(raw):
                    raise
                self.read_only = True
            self.raw = raw

    def begin(self) -> None:
        if self.depth == 0:
            self.attempts.clear()
            self.reopened = False
            self._begin(self.raw)
        self.depth += 1
        self.marks.append((self._mark(), len(self.attempts)))

    def end(self) -> list[str]:
        """What the test did to its transaction that it must not have; the
        transaction is then ready for Django's rollback. Attempts made before
        the level began (in ``setUpClass``) are the enclosing level's."""
        self.depth -= 1
        mark, before = self.marks.pop()
        attempts = self.attempts[before:]
        del self.attempts[before:]
        if not (attempts or self.reopened) and self.connection.connection is self.raw and self._intact(mark):
            return self._finish(self.raw, True) if self.depth == 0 else []
        alias = self.connection.alias
        problems = [f"tried to {attempt} on {alias!r} (refused)" for attempt in attempts]
        current = self.connection.connection
        usable = False
        if self.reopened or (current is not None and current is not self.raw):
            problems.append(f"its connection to {alias!r} was opened again during the test (read-only)")
        elif current is None or self._closed(self.raw):
            problems.append(f"its connection to {alias!r} was closed during the test")
        else:
            usable = True
            if not self._intact(mark):
                problems.append(f"its transaction on {alias!r} was ended")
        if self.depth == 0:
            problems.extend(self._finish(self.raw, usable))
        return problems

    # --- per vendor ----------------------------------------------------------

    def _prepare(self, raw: Any) -> None:
        raise NotImplementedError

    def _session_read_only(self, raw: Any) -> bool:
        return False

    def _begin(self, raw: Any) -> None:
        raise NotImplementedError

    def _mark(self) -> Any:
        raise NotImplementedError

    def _intact(self, mark: Any) -> bool:
        """The connection is open and its transaction the one the level began."""
        raise NotImplementedError

    def _closed(self, raw: Any) -> bool:
        raise NotImplementedError

    def _finish(self, raw: Any, usable: bool) -> list[str]:
        """Undo ``_begin``'s hooks; end the server's guard where it must be
        (``usable``: the test's driver connection is still open)."""
        return []


class _PostgresGuard(Guard):
    """psycopg's own ``BEGIN`` round trip carries the guard row: the driver
    connection's transaction start is swapped once, and while a test runs
    every transaction it begins is guarded (and counted) or, begun another
    way (the driver's ``transaction()``, ``tpc_begin()``), read-only; turning
    autocommit on is refused. No statement of a test runs unguarded, even
    after its transaction was ended."""

    begins = 0
    created = False

    def _prepare(self, raw: Any) -> None:
        if type(raw).__module__.partition(".")[0] != "psycopg":
            raise RuntimeError(f"{self.connection.alias!r}: the isolation guard needs psycopg 3, not {type(raw)}")
        raw.__dict__.update(
            _start_query=partial(self._start_query, raw),
            _get_tx_start_command=partial(self._tx_start, raw),
            _set_autocommit_gen=partial(self._set_autocommit_gen, raw),
        )
        if self.owned:  # used by this thread alone: what atomic() asks, without psycopg's lock
            raw.__dict__.update(
                rollback=partial(self._rollback, raw), _set_autocommit=partial(self._set_autocommit, raw)
            )
        self.created = False  # the guard table: made by the first test that queries
        self.read_only = self._session_read_only(raw)

    def _session_read_only(self, raw: Any) -> bool:
        """From what the server reported at connection (PostgreSQL 14+), else asked."""
        reported = [raw.info.parameter_status(name) for name in ("default_transaction_read_only", "in_hot_standby")]
        if reported[0] is not None:
            return "on" in reported
        with raw.cursor() as cursor:
            cursor.execute("SHOW default_transaction_read_only")
            return bool(cursor.fetchone()[0] == "on")

    def _begin(self, raw: Any) -> None:
        self.begins = 0
        if raw.pgconn.transaction_status == 0:  # IDLE: psycopg begins before the first statement
            return
        if self.read_only:
            raise RuntimeError(f"{self.connection.alias!r} is read-only and already in a transaction")
        self.begins = 1  # already inside a transaction not ours: guard it now
        with raw.cursor() as cursor:
            cursor.execute(f"{_PG_CREATE_TABLE}; {_PG_INSERT}")

    def _start_query(self, raw: Any) -> Iterator[Any]:
        """psycopg's ``_start_query``; during a test, with the guard row in its ``BEGIN``."""
        if not self.depth:
            return (yield from type(raw)._start_query(raw))
        if raw._autocommit or raw.pgconn.transaction_status != 0:
            return None
        if raw._pipeline:
            raise psycopg.NotSupportedError("smoke tests cannot use psycopg's pipeline mode")
        self.begins += 1
        raw.pgconn.send_query(
            b"BEGIN READ ONLY"
            if self.read_only
            else _PG_BEGIN
            if self.created
            else _PG_OWNED_CREATE_AND_BEGIN
            if self.owned
            else _PG_CREATE_AND_BEGIN
        )
        for result in (yield from psycopg.generators.execute(raw.pgconn)):
            if result.status == psycopg.pq.ExecStatus.FATAL_ERROR:
                raise psycopg.errors.error_from_result(result, encoding=raw.pgconn._encoding)
        self.created = True
        return None

    def _rollback(self, raw: Any) -> None:
        """psycopg's ``rollback``; nothing to do (nor lock to take) when no
        transaction is open, as psycopg finds too."""
        if raw.pgconn.transaction_status != 0 or raw._pipeline or raw._tpc or raw._num_transactions:
            type(raw).rollback(raw)

    def _set_autocommit(self, raw: Any, value: bool) -> None:
        """psycopg's autocommit switch: outside a transaction only a flag."""
        if raw.pgconn.transaction_status != 0 or raw._pipeline or (value and self.depth):
            type(raw)._set_autocommit(raw, value)
        else:
            raw._autocommit = bool(value)

    def _set_autocommit_gen(self, raw: Any, value: bool) -> Any:
        """psycopg's autocommit switch, which refuses "on" during a test:
        its statements would run outside any guarded transaction."""
        if value and self.depth:
            self.attempts.append("turn autocommit on")
            raise psycopg.ProgrammingError("smoke tests may not turn autocommit on")
        return type(raw)._set_autocommit_gen(raw, value)

    def _tx_start(self, raw: Any) -> bytes:
        if not self.depth:
            return bytes(type(raw)._get_tx_start_command(raw))
        self.begins += 1
        return b"BEGIN READ ONLY"

    def _mark(self) -> Any:
        return self.begins if self.depth == 1 else (self.begins, True)

    def _intact(self, mark: Any) -> bool:
        raw = self.raw
        if raw._autocommit:
            return False
        status = raw.pgconn.transaction_status  # 0 IDLE, 2 INTRANS, 3 INERROR (4 UNKNOWN: closed)
        if isinstance(mark, tuple):  # a nested level: nothing may have begun since
            return self.begins == mark[0] and status in (2, 3)
        return (self.begins == 0 and status == 0) or (self.begins == 1 and status in (2, 3))

    def _closed(self, raw: Any) -> bool:
        return bool(raw.closed)


class _LazyConnection(sqlite3.Connection):
    """A worker's SQLite connection: what the guard left ``pending`` (its
    row) runs just before the next statement, whichever way it is sent
    (cursors made here, ``execute*``, blobs)."""

    pending: Callable[[], None] | None = None
    guard_authorizer: Callable[..., int] | None = None

    def set_authorizer(self, authorizer: Callable[..., int] | None, /) -> None:
        """Another authorizer runs after the guard's, never instead of it
        (``None`` leaves the guard's alone)."""
        guard = self.guard_authorizer
        if guard is None or authorizer is None:
            return super().set_authorizer(authorizer or guard)

        def guard_first(*args: Any) -> int:
            verdict = guard(*args)
            return authorizer(*args) if verdict == sqlite3.SQLITE_OK else verdict

        return super().set_authorizer(guard_first)

    def run_pending(self) -> None:
        pending = self.pending
        if pending is not None:
            self.pending = None
            pending()

    def cursor(self, factory: Any = sqlite3.Cursor) -> Any:
        return super().cursor(_lazy_cursor(factory))

    # As sqlite3's own, with a cursor made here: one kept and used again in a
    # later test also begins first (a statement it reuses compiled would
    # escape the authorizer).
    def execute(self, *args: Any) -> Any:
        return self.cursor().execute(*args)

    def executemany(self, *args: Any) -> Any:
        return self.cursor().executemany(*args)

    def executescript(self, *args: Any) -> Any:
        return self.cursor().executescript(*args)

    if hasattr(sqlite3.Connection, "blobopen"):  # Python 3.11+

        def blobopen(self, *args: Any, **kwargs: Any) -> Any:
            self.run_pending()
            return super().blobopen(*args, **kwargs)  # type: ignore[misc]  # Python 3.11+


@functools.cache
def _lazy_cursor(factory: type[sqlite3.Cursor]) -> type[sqlite3.Cursor]:
    """``factory``'s cursors, which run what their connection has pending
    before each statement (also a cursor kept from earlier)."""

    class LazyCursor(factory):  # type: ignore[misc,valid-type]
        def execute(self, *args: Any) -> Any:
            self.connection.run_pending()
            return super().execute(*args)

        def executemany(self, *args: Any) -> Any:
            self.connection.run_pending()
            return super().executemany(*args)

        def executescript(self, *args: Any) -> Any:
            self.connection.run_pending()
            return super().executescript(*args)

    return LazyCursor


class _SqliteGuard(Guard):
    """A guard row inserted after Django's own ``BEGIN``; the authorizer
    refuses transaction control and changes to the guard while a test runs.
    On a worker's own connection (a ``_LazyConnection``) both wait for the
    test's first statement; the authorizer, installed again as each test
    begins (which makes SQLite authorize again any statement compiled
    earlier), refuses until then any statement that writes, and an
    authorizer a test sets runs after the guard's instead of replacing it."""

    active = False
    lazy = False
    begun = True  # the test's transaction was begun in SQLite

    def __init__(self, connection: BaseDatabaseWrapper, owned: bool) -> None:
        super().__init__(connection, owned)
        if owned and "factory" not in connection.settings_dict["OPTIONS"]:
            connection.__dict__["get_connection_params"] = self._connection_params

    def _connection_params(self) -> dict[str, Any]:
        """Django's, for a ``_LazyConnection`` (from the next connection on)."""
        return {**type(self.connection).get_connection_params(self.connection), "factory": _LazyConnection}

    def _prepare(self, raw: Any) -> None:
        self.lazy = isinstance(raw, _LazyConnection)
        if self.lazy:
            raw.guard_authorizer = self._authorize
        raw.set_authorizer(self._authorize)
        if self.owned:
            raw.execute("PRAGMA temp_store = MEMORY")  # the guard's pages and journal: no file per test
            # Django's BEGIN without its cursor: what the guard costs is saved there.
            self.connection.__dict__["_start_transaction_under_autocommit"] = self._start_transaction
        for statement in _SQLITE_CREATE_TABLES:
            raw.execute(statement)

    def _start_transaction(self) -> None:
        raw = self.connection.connection
        if isinstance(raw, _LazyConnection):
            raw.pending = functools.partial(self._begin_now, raw, False)
        else:
            sqlite3.Connection.execute(raw, self._begin_sql())

    def _begin_sql(self) -> str:
        mode = self.connection.transaction_mode
        return "BEGIN" if mode is None else f"BEGIN {mode}"

    def _begin_now(self, raw: Any, guarded: bool) -> None:
        """Django's ``BEGIN`` and, during a test, the guard row, just before
        the first statement that follows."""
        active, self.active = self.active, False  # the authorizer lets them through
        try:
            sqlite3.Connection.execute(raw, self._begin_sql())
            self.begun = True
            if guarded:
                sqlite3.Connection.execute(raw, _SQLITE_INSERT)
        finally:
            self.active = active

    def _session_read_only(self, raw: Any) -> bool:
        return bool(raw.execute("PRAGMA query_only").fetchone()[0])

    def _authorize(self, action: int, arg1: str | None, arg2: str | None, database: str | None, *_: Any) -> int:
        if not self.active:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_TRANSACTION:
            self.attempts.append(f"{arg1} its transaction")
            return sqlite3.SQLITE_DENY
        if (
            action in _SQLITE_CHANGES
            and arg1 in (GUARD_TABLE, _PARENT_TABLE)
            and not (action == sqlite3.SQLITE_INSERT and arg1 == GUARD_TABLE)
        ):
            self.attempts.append("change the isolation guard")
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_PRAGMA and arg2 is not None and (arg1 or "").lower() in _SQLITE_PRAGMAS:
            self.attempts.append(f"set PRAGMA {arg1}")
            return sqlite3.SQLITE_DENY
        if self.lazy and self.raw.pending is not None and action not in _SQLITE_READS:
            # Not sent through the connection's own ways: it would run before the guard row.
            self.attempts.append("run a statement past its guard")
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    def _begin(self, raw: Any) -> None:
        self.active = True
        if self.lazy and raw.pending is not None:  # Django's BEGIN waits: the row comes with it
            self.begun = False
            raw.pending = functools.partial(self._begin_now, raw, not self.read_only)
            # Again (a test may have set its own): any statement compiled earlier is authorized again.
            sqlite3.Connection.set_authorizer(raw, self._authorize)
            return
        self.begun = True
        if not raw.in_transaction:  # Django begins explicitly; anything else is not guarded
            raise RuntimeError("no transaction to guard")
        if not self.read_only:
            sqlite3.Connection.execute(raw, _SQLITE_INSERT)

    def _mark(self) -> Any:
        return None

    def _intact(self, mark: Any) -> bool:
        try:
            return bool(self.raw.in_transaction) == self.begun
        except sqlite3.ProgrammingError:  # closed
            return False

    def _closed(self, raw: Any) -> bool:
        try:
            raw.total_changes  # noqa: B018  (raises once closed)
        except sqlite3.ProgrammingError:
            return True
        return False

    def _finish(self, raw: Any, usable: bool) -> list[str]:
        self.active = False
        if self.lazy:
            raw.pending = None  # no statement came: nothing to begin
        return []


# What a statement run before the guard row may do.
_SQLITE_READS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
_SQLITE_CHANGES = {
    sqlite3.SQLITE_DELETE,
    sqlite3.SQLITE_UPDATE,
    sqlite3.SQLITE_INSERT,
    sqlite3.SQLITE_DROP_TEMP_TABLE,
    sqlite3.SQLITE_DROP_TABLE,
}
_SQLITE_PRAGMAS = {"foreign_keys", "defer_foreign_keys", "query_only", "writable_schema", "ignore_check_constraints"}


class _MysqlGuard(Guard):
    """An XA transaction started before the test's first statement, through
    the driver connection's ``query`` (every cursor sends through it). On a
    worker's own connection the hooks stay, and what Django's ``atomic()``
    asks of the driver waits for that statement too: autocommit is switched
    only before a statement, and a rollback is sent only when a statement
    may have begun a transaction."""

    xid = b""
    started = False
    read_only = False  # the alias has tables without transactions: refuse writes
    autocommit = True  # as Django last set it
    sent_autocommit = True  # as the session has it
    dirty = False  # a statement ran outside the XA transaction with autocommit off

    def _prepare(self, raw: Any) -> None:
        self.read_only = bool(nontransactional_tables(raw, limit=1))
        if self.owned:
            self._hook(raw)

    def _hook(self, raw: Any) -> None:
        self.autocommit = self.sent_autocommit = bool(type(raw).get_autocommit(raw))
        self.dirty = not self.autocommit
        raw.query = self._query
        raw.send_query = self._send_query
        raw.commit = self._commit
        raw.rollback = self._rollback
        raw.autocommit = self._autocommit
        raw.change_user = self._change_user

    def _begin(self, raw: Any) -> None:
        self.xid = b"'smoketest-" + secrets.token_hex(12).encode() + b"'"
        self.started = False
        if not self.owned:
            self._hook(raw)

    def _send(self, sql: bytes) -> None:
        type(self.raw).query(self.raw, sql)  # the class's own, not the hook

    def _query(self, sql: Any) -> Any:
        return self._guarded(type(self.raw).query, sql)

    def _send_query(self, sql: Any) -> Any:
        return self._guarded(type(self.raw).send_query, sql)

    def _guarded(self, send: Callable[[Any, Any], Any], sql: Any) -> Any:
        """Send ``sql`` the driver's way ``send``, after what must come first:
        the autocommit switch Django asked for, and during a test the XA
        transaction."""
        raw = self.raw
        if self.autocommit != self.sent_autocommit:
            type(raw).autocommit(raw, self.autocommit)
            self.sent_autocommit = self.autocommit
        if self.depth and not self.started:
            self.started = True
            if self.read_only:
                self._send(b"SET TRANSACTION READ ONLY")
            self._send(b"XA START " + self.xid)
        elif not (self.started or self.sent_autocommit):
            self.dirty = True
        try:
            return send(raw, sql)
        except Exception as exc:
            code = exc.args[0] if exc.args else None
            refusal = _XA_REFUSALS.get(code) if isinstance(code, int) else None
            if refusal is not None:
                text = sql.decode(errors="replace") if isinstance(sql, (bytes, bytearray)) else str(sql)
                self.attempts.append(f"run {text[:60]!r} ({refusal})")
            raise

    def _commit(self) -> Any:
        return self._end_transaction("commit", type(self.raw).commit)

    def _rollback(self) -> Any:
        return self._end_transaction("roll back", type(self.raw).rollback)

    def _end_transaction(self, what: str, method: Callable[[Any], Any]) -> Any:
        if self.depth:
            if self.started:
                self.attempts.append(f"{what} its transaction")
        elif not self.dirty:
            return None  # no statement since the last end: nothing to end
        self.dirty = False
        return method(self.raw)

    def _autocommit(self, on: bool) -> Any:
        self.autocommit = bool(on)
        if not self.depth:
            return None  # sent before the next statement, if it differs
        if on:
            self.attempts.append("turn autocommit on")
        self.sent_autocommit = self.autocommit
        return type(self.raw).autocommit(self.raw, on)

    def _change_user(self, *args: Any, **kwargs: Any) -> Any:
        """Refused during a test: it resets the session, XA transaction included."""
        if self.depth:
            self.attempts.append("reset its session (change_user)")
            raise RuntimeError("smoke tests may not reset their database session (change_user)")
        return type(self.raw).change_user(self.raw, *args, **kwargs)

    def _mark(self) -> Any:
        return None

    def _intact(self, mark: Any) -> bool:
        return bool(self.raw.open)  # only ``XA END`` with the random id ends it: ``_finish`` tells

    def _closed(self, raw: Any) -> bool:
        return not raw.open

    def _finish(self, raw: Any, usable: bool) -> list[str]:
        if not self.owned:
            for name in ("query", "send_query", "commit", "rollback", "autocommit", "change_user"):
                raw.__dict__.pop(name, None)
        if not (self.started and usable):
            return []
        self.started = False
        try:
            self._send(b"XA END " + self.xid)
            self._send(b"XA ROLLBACK " + self.xid)
        except Exception as exc:
            self.dirty = True  # Django's rollback is sent
            return [f"its transaction on {self.connection.alias!r} was ended ({exc})"]
        return []


_GUARDS: dict[str, type[Guard]] = {"postgresql": _PostgresGuard, "sqlite": _SqliteGuard, "mysql": _MysqlGuard}


def guard_of(connection: BaseDatabaseWrapper, owned: bool) -> Guard:
    """The connection's guard, made on first use. Raises for a database the
    guard cannot make safe: no transactions, or a backend it does not know."""
    guard: Guard | None = connection.__dict__.get(_ATTRIBUTE)
    if guard is None:
        if connection.vendor not in _GUARDS:  # before features: Django probes unknown ones with DDL
            raise RuntimeError(f"{connection.alias!r}: no isolation guard for {connection.vendor}")
        if not connection.features.supports_transactions:
            raise RuntimeError(f"{connection.alias!r} has no transactions: smoke tests cannot run on it safely")
        guard = _GUARDS[connection.vendor](connection, owned)
        connection.__dict__[_ATTRIBUTE] = guard
    return guard


def nontransactional_tables(raw: Any, limit: int = 100) -> list[str]:
    """MySQL/MariaDB: the current database's tables whose engine has no transactions."""
    cursor = raw.cursor()
    try:
        cursor.execute(
            "SELECT t.TABLE_NAME FROM information_schema.TABLES t"
            " LEFT JOIN information_schema.ENGINES e ON e.ENGINE = t.ENGINE"
            " WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE'"
            f" AND COALESCE(e.TRANSACTIONS, 'NO') <> 'YES' ORDER BY t.TABLE_NAME LIMIT {int(limit)}"
        )
        return [row[0] for row in cursor.fetchall()]
    finally:
        cursor.close()


def _guard_reopened(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """A connection opened while a test runs on its wrapper is made
    read-only before its first statement, and the test told."""
    guard: Guard | None = connection.__dict__.get(_ATTRIBUTE)
    if guard is None or guard.depth == 0:
        return
    guard.reopened = True
    cursor = connection.connection.cursor()
    try:
        cursor.execute(_READ_ONLY_SESSION[connection.vendor])
    finally:
        cursor.close()


connection_created.connect(_guard_reopened, dispatch_uid="smoketest.engine.dbguard")
