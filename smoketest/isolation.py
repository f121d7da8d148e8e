"""Run code inside a transaction on every alias and always roll it back."""

import re
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, ExitStack, suppress
from types import TracebackType
from typing import Any

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.transaction import TransactionManagementError

# Statements that would end, or on MySQL/MariaDB implicitly commit, the
# transaction the test runs in. Savepoint statements stay allowed: Django's
# own nested atomic blocks use them.
_ENDS_TRANSACTION = r"COMMIT|END|ROLLBACK(?!\s+(WORK\s+)?TO\b)|BEGIN|START\s+TRANSACTION|SET\s+(SESSION\s+)?AUTOCOMMIT"
_MYSQL_IMPLICIT_COMMIT = (
    r"|CREATE\s+(?!TEMPORARY\b)|ALTER|DROP\s+(?!TEMPORARY\b)|TRUNCATE|RENAME|LOCK\s+TABLES?|UNLOCK|GRANT|REVOKE"
    r"|FLUSH|OPTIMIZE|REPAIR|ANALYZE|LOAD\s+DATA|XA\b"
)
_STATEMENT_START = r"(?:^|;)\s*(?:{})\b"
_FORBIDDEN = re.compile(_STATEMENT_START.format(_ENDS_TRANSACTION), re.IGNORECASE)
_FORBIDDEN_MYSQL = re.compile(_STATEMENT_START.format(_ENDS_TRANSACTION + _MYSQL_IMPLICIT_COMMIT), re.IGNORECASE)


class CommitForbidden(TransactionManagementError):
    """Raised instead of sending SQL that would commit a smoke test's writes."""


def _statement_guard(vendor: str) -> Callable[..., Any]:
    forbidden = _FORBIDDEN_MYSQL if vendor == "mysql" else _FORBIDDEN

    def guard(execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: dict[str, Any]) -> Any:
        if isinstance(sql, str) and forbidden.search(sql):
            raise CommitForbidden(f"smoke tests may not end their transaction: {sql[:80]!r}")
        return execute(sql, params, many, context)

    return guard


_GUARD, _GUARD_MYSQL = _statement_guard("default"), _statement_guard("mysql")


def rolled_back(aliases: Iterable[str]) -> AbstractContextManager[None]:
    """Run the block in ``atomic()`` on every alias, then roll every one back."""
    blocks = [_RolledBackAtomic(connections[alias]) for alias in aliases]
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
    """``atomic()`` on one connection with the commit guard installed, always
    rolled back; a test that leaves a block of its own open loses the
    connection. A class rather than nested generators: it runs once per test,
    and may be entered again once exited (the tests of a class share one)."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection
        self.atomic = transaction.atomic(using=connection.alias)
        self.guard = _GUARD_MYSQL if connection.vendor == "mysql" else _GUARD
        self.depth = (0, 0)

    def __enter__(self) -> None:
        connection = self.connection
        self.atomic.__enter__()
        self.depth = (len(connection.atomic_blocks), len(connection.savepoint_ids))
        connection.execute_wrappers.append(self.guard)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        connection = self.connection
        connection.execute_wrappers.pop()
        if (len(connection.atomic_blocks), len(connection.savepoint_ids)) != self.depth:
            try:
                _drop_connection(connection, *self.depth)
                raise TransactionManagementError(
                    f"a smoke test left an atomic block open on {connection.alias!r}; its connection was dropped"
                )
            except BaseException as error:  # closes the atomic block with this error, then raises it
                self.atomic.__exit__(type(error), error, error.__traceback__)
                raise
        connection.needs_rollback = True
        self.atomic.__exit__(exc_type, exc, tb)


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
    with connection.cursor() as cursor:
        cursor.execute(sql)


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
