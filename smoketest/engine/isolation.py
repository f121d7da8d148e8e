"""Run code inside a transaction on every alias and always roll it back."""

import functools
import re
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, ExitStack, suppress
from types import TracebackType
from typing import Any

from django.db import Error, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.transaction import TransactionManagementError

from smoketest.engine.dbguard import GUARD_TABLE, Guard, guard_of
from smoketest.engine.sqltext import refusal


class CommitForbidden(TransactionManagementError):
    """Raised instead of sending SQL that would commit a smoke test's writes."""


class TransactionEnded(TransactionManagementError):
    """A test ended, or tried to end, the transaction it ran in: its error."""


def _statement_guard(vendor: str) -> Callable[..., Any]:
    def guard(execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: dict[str, Any]) -> Any:
        text = _text(sql, context["connection"])
        reason = _refusal(text, vendor) if len(text) <= _REMEMBERED_LENGTH else _read(text, vendor)
        if reason is not None:
            raise CommitForbidden(f"smoke tests may not {reason}: {text[:80]!r}")
        return execute(sql, params, many, context)

    return guard


def _text(sql: Any, connection: BaseDatabaseWrapper) -> str:
    """The SQL as the server will read it: text, bytes or composed SQL."""
    if isinstance(sql, str):
        return sql
    if isinstance(sql, (bytes, bytearray, memoryview)):
        return bytes(sql).decode("latin-1")  # keywords are ASCII: any byte stays one character
    if hasattr(sql, "as_string"):  # psycopg.sql.Composable
        return str(sql.as_string(connection.connection))
    raise CommitForbidden(f"smoke tests may run SQL given as text only, not {type(sql).__name__}")


def _read(text: str, vendor: str) -> str | None:
    """Why the statement guard refuses ``text``; only read when a word it
    may refuse appears (upper-cased first: a case-sensitive search is about
    eight times faster than an ``IGNORECASE`` one)."""
    return refusal(text, vendor, (GUARD_TABLE,)) if _MAYBE.search(text.upper()) else None


# The decisions on statements short enough to keep: a test's statements are
# the same text poll after poll (parameters are sent apart).
_REMEMBERED_LENGTH = 2048
_refusal = functools.lru_cache(maxsize=256)(_read)

# A word the guard may refuse, anywhere, in upper case: only then is the statement read.
_MAYBE = re.compile(
    r"COMMIT|END|ABORT|BEGIN|XA|DISCARD|START|ROLLBACK|PREPARE|SET|CREATE|ALTER|DROP|TRUNCATE|RENAME|LOCK"
    r"|GRANT|REVOKE|FLUSH|OPTIMIZE|REPAIR|ANALYZE|CHECK|CACHE|LOAD|INSTALL|SHUTDOWN|" + GUARD_TABLE.upper()
)
_GUARDS = {vendor: _statement_guard(vendor) for vendor in ("postgresql", "mysql", "sqlite", "other")}


def rolled_back(aliases: Iterable[str], owned: bool = False) -> AbstractContextManager[None]:
    """Run the block in ``atomic()`` on every alias, server-guarded against
    any commit, then roll every one back; raise ``TransactionEnded`` if the
    block ended or tried to end one. ``owned``: the connections end with the
    run (a worker's), so their session settings may serve the guard."""
    blocks = [_RolledBackAtomic(connections[alias], owned) for alias in aliases]
    return blocks[0] if len(blocks) == 1 else _Stacked(blocks)


class _Stacked(AbstractContextManager[None]):
    """Several ``_RolledBackAtomic`` blocks entered in order, exited in reverse."""

    def __init__(self, blocks: list["_RolledBackAtomic"]) -> None:
        self.blocks = blocks
        self.stack = ExitStack()  # the entered blocks, once entered

    def __enter__(self) -> None:
        with ExitStack() as stack:
            for block in self.blocks:
                stack.enter_context(block)
            self.stack = stack.pop_all()

    def __exit__(self, *exc_info: Any) -> bool:
        return bool(self.stack.__exit__(*exc_info))


class _RolledBackAtomic(AbstractContextManager[None]):
    """``atomic()`` on one connection with the server-side guard and the
    statement guard installed, always rolled back; a test that leaves a
    block of its own open, or opens the connection again, loses the
    connection. A class rather than nested generators: it runs once per test,
    and may be entered again once exited (the tests of a class share one)."""

    def __init__(self, connection: BaseDatabaseWrapper, owned: bool) -> None:
        self.connection = connection
        self.owned = owned
        self.atomic = transaction.atomic(using=connection.alias)
        # A worker's PostgreSQL session stays out of autocommit between tests
        # (``end_run`` turns it back on): the outermost block is then Django's
        # atomic() over a session already out of autocommit, with no switch
        # to send or bookkeep twice per test, and a rollback after it.
        self.outermost = (
            transaction.atomic(using=connection.alias, savepoint=False)
            if owned and connection.vendor == "postgresql"
            else None
        )
        self.entered = self.atomic
        self.statement_guard = _GUARDS.get(connection.vendor, _GUARDS["other"])
        self.guard: Guard | None = None
        self.depth = (0, 0)
        self.state: tuple[list[Any], list[Any]] = ([], [])  # Django's lists, which ``connect()`` replaces

    def __enter__(self) -> None:
        connection = self.connection
        guard = self.guard = self.guard or guard_of(connection, self.owned)
        guard.prepare()
        self.entered = self.atomic
        if self.outermost is not None and not connection.in_atomic_block:
            if connection.autocommit:
                connection.set_autocommit(False)
            self.entered = self.outermost
        self.entered.__enter__()
        try:
            guard.begin()
        except BaseException as error:
            self._leave(type(error), error, error.__traceback__)
            raise
        self.depth = (len(connection.atomic_blocks), len(connection.savepoint_ids))
        self.state = (connection.atomic_blocks, connection.savepoint_ids)
        connection.execute_wrappers.append(self.statement_guard)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        connection = self.connection
        connection.execute_wrappers.remove(self.statement_guard)
        assert self.guard is not None
        problems = self.guard.end()
        if connection.atomic_blocks is not self.state[0]:  # connect() ran: back to the transaction's state
            self._drop_reopened()
        if (len(connection.atomic_blocks), len(connection.savepoint_ids)) != self.depth:
            try:
                _drop_connection(connection, *self.depth)
                raise TransactionManagementError(
                    f"a smoke test left an atomic block open on {connection.alias!r}; its connection was dropped"
                )
            except BaseException as error:  # closes the atomic block with this error, then raises it
                self._leave(type(error), error, error.__traceback__)
                raise
        connection.needs_rollback = True
        self._leave(exc_type, exc, tb)
        if problems:
            raise TransactionEnded("; ".join(problems))

    def _leave(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        """Exit the atomic block entered; after the outermost one over a
        session out of autocommit, roll back as Django's own would have."""
        connection = self.connection
        self.entered.__exit__(exc_type, exc, tb)
        if self.entered is not self.outermost:
            return
        if connection.closed_in_transaction:  # dropped on exit: leave it as Django's own outermost block does
            connection.in_atomic_block = connection.needs_rollback = False
            connection.run_on_commit = []  # what the test queued after closing it: never run
            return
        try:
            connection.rollback()
        except Error:
            connection.close()

    def _drop_reopened(self) -> None:
        """The test opened the connection again (``connect()``): close both
        driver connections, the guarded one and the read-only one, and put
        back Django's state of the block, as if closed inside it."""
        connection = self.connection
        assert self.guard is not None
        with suppress(Exception):
            self.guard.raw.close()
        connection.atomic_blocks, connection.savepoint_ids = self.state
        connection.in_atomic_block = True
        connection.closed_in_transaction = False
        with suppress(Exception):
            connection.close()


def _drop_connection(connection: BaseDatabaseWrapper, blocks: int, savepoints: int) -> None:
    """Forget the atomic blocks a test left open and close the connection
    without committing: the enclosing blocks then exit as Django's do after a
    connection closed inside ``atomic()``, and the next query reconnects."""
    del connection.atomic_blocks[blocks:]
    del connection.savepoint_ids[savepoints:]
    if connection.connection is not None:
        with suppress(Exception):  # the close below discards the transaction anyway
            connection.connection.rollback()
    connection.close()


def limit_statements(connection: BaseDatabaseWrapper, seconds: float) -> None:
    """Bound every statement on ``connection`` server-side, for the rest of
    its session, where the backend has such a setting (PostgreSQL, MariaDB,
    MySQL). Only for connections that end with the run: a worker's own."""
    if connection.vendor == "postgresql":
        sql = f"SET statement_timeout = {max(1, int(seconds * 1000))}"
    elif connection.vendor == "mysql":
        connection.ensure_connection()
        if connection.mysql_is_mariadb:
            sql = f"SET SESSION max_statement_time = {float(seconds)}"
        else:
            sql = f"SET SESSION max_execution_time = {max(1, int(seconds * 1000))}"
    else:
        return
    end_run(connection)  # a session's setting: not undone with the next test's rollback
    with connection.cursor() as cursor:
        cursor.execute(sql)


def end_run(connection: BaseDatabaseWrapper) -> None:
    """Put autocommit back as the site set it where a worker's tests left
    it off between them, as Django expects of a connection it keeps."""
    autocommit = connection.settings_dict["AUTOCOMMIT"]
    if connection.connection is not None and not connection.in_atomic_block and connection.autocommit != autocommit:
        connection.set_autocommit(autocommit)


def sever(connection: BaseDatabaseWrapper) -> None:
    """End another thread's connection at once, without committing: the
    server rolls its transaction back and releases its locks, and whatever
    that thread sends next fails. Runs in the caller's thread, through the
    caller's own connection where the database needs one to do it."""
    raw = connection.connection
    if raw is None:
        return
    if connection.vendor == "postgresql":
        with connections[connection.alias].cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [raw.info.backend_pid])
    elif connection.vendor == "mysql":
        with connections[connection.alias].cursor() as cursor:
            cursor.execute(f"KILL CONNECTION {int(raw.thread_id())}")
    elif connection.vendor == "sqlite" and not connection.is_in_memory_db():
        raw.interrupt()
        raw.close()
