"""Careless smoke tests aimed at a worker's PostgreSQL session kept out of
autocommit between tests (the outermost block is ``atomic(savepoint=False)``
over that session, then a rollback; ``end_run`` turns autocommit back on).

Each attack is a class of two tests run in order on one worker:
``test_a_attack`` writes a widget named ``attack-<class>`` and then does
something careless to its transaction or connection; ``test_b_innocent``
writes a widget of its own and checks it runs in a fresh guarded transaction
where nothing of the attack is visible. Each attack also exists as an
``...InClass`` variant whose ``setUpClass`` writes first (a class-level
transaction, the tests in savepoints). ``SEEN`` records, per test that got
that far, what its session looked like (read by the pytest tests)."""

import contextlib
import time

from django.db import close_old_connections, connection, transaction

from smoketest import SmokeTest, timeout
from tests.testapp.models import Widget

SEEN: list[tuple[str, str, int]] = []  # (class, test, server pid)


def attack_name(test: SmokeTest | type) -> str:
    """``attack-<class>`` from a test; from setUpClass, whose writes the
    class's tests may see, ``class-attack-<class>``."""
    if isinstance(test, type):
        return f"class-attack-{test.__name__}"
    return f"attack-{type(test).__name__}"


def write(test: SmokeTest, suffix: str = "") -> None:
    Widget.objects.create(name=attack_name(test) + suffix)


def raw_execute(statement: str) -> None:
    with connection.connection.cursor() as cursor:
        cursor.execute(statement)


class Innocent:
    """The second test of every attack class: a plain write."""

    parallel = False  # one worker, in order: test_b sees what test_a left

    def test_b_innocent(self):
        Widget.objects.create(name=f"innocent-{type(self).__name__}")
        self.assertFalse(Widget.objects.filter(name__startswith="attack-").exists(), "the attack's row is visible")
        raw = connection.connection
        self.assertTrue(connection.in_atomic_block)
        self.assertFalse(raw.autocommit)
        self.assertEqual(raw.pgconn.transaction_status, 2, "not in a transaction")  # INTRANS
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid(), current_setting('transaction_read_only')")
            pid, read_only = cursor.fetchone()
        self.assertEqual(read_only, "off")
        SEEN.append((type(self).__name__, "test_b_innocent", pid))


def pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


# --- the attacks: name -> what test_a_attack does after its first write ------


def close_then_query(test):
    connection.close()
    Widget.objects.count()


def close_then_write_again(test):
    connection.close()
    with contextlib.suppress(Exception):
        write(test, "-after-close")
    write(test, "-after-close-2")


def close_then_connect_then_write(test):
    connection.close()
    connection.connect()
    write(test, "-reconnected")


def connect_then_write(test):
    connection.connect()
    write(test, "-reconnected")


def close_old_connections_then_write(test):
    close_old_connections()  # the session is out of autocommit: Django finds it obsolete
    write(test, "-after")


def set_autocommit_true(test):
    connection.set_autocommit(True)


def set_autocommit_true_swallowed_then_write(test):
    with contextlib.suppress(Exception):
        connection.set_autocommit(True)
    write(test, "-after")


def set_autocommit_false(test):
    connection.set_autocommit(False)


def transaction_commit(test):
    transaction.commit()


def transaction_commit_swallowed_then_write(test):
    with contextlib.suppress(Exception):
        transaction.commit()
    write(test, "-after")


def django_rollback_swallowed_then_write(test):
    with contextlib.suppress(Exception):
        connection.rollback()
    write(test, "-after")


def driver_autocommit_then_write(test):
    with contextlib.suppress(Exception):
        connection.connection.autocommit = True
    write(test, "-after")


def driver_set_autocommit_then_write(test):
    with contextlib.suppress(Exception):
        connection.connection.set_autocommit(True)
    write(test, "-after")


def driver_commit_then_write(test):
    with contextlib.suppress(Exception):
        connection.connection.commit()
    write(test, "-after")


def driver_rollback_then_write(test):
    connection.connection.rollback()
    write(test, "-after")


def raw_cursor_commit_then_write(test):
    with contextlib.suppress(Exception), connection.cursor() as cursor:
        cursor.execute("COMMIT")
    write(test, "-after")


def driver_cursor_commit_then_write(test):
    with contextlib.suppress(Exception):
        raw_execute("COMMIT")
    write(test, "-after")


def driver_cursor_end_begin_then_write(test):
    with contextlib.suppress(Exception):
        raw_execute("END; BEGIN")
    write(test, "-after")


def durable_atomic(test):
    with transaction.atomic(durable=True):
        write(test, "-durable")


def durable_atomic_swallowed_then_write(test):
    with contextlib.suppress(RuntimeError), transaction.atomic(durable=True):
        write(test, "-durable")
    write(test, "-after")


def leave_atomic_open(test):
    transaction.atomic().__enter__()
    write(test, "-inside")


def leave_savepoint_free_atomic_open(test):
    transaction.atomic(savepoint=False).__enter__()
    write(test, "-inside")


def set_rollback_false(test):
    transaction.set_rollback(False)


def set_rollback_true_then_false(test):
    transaction.set_rollback(True)
    transaction.set_rollback(False)
    write(test, "-after")


def on_commit_callbacks(test):
    name = attack_name(test)
    transaction.on_commit(lambda: Widget.objects.create(name=name + "-on-commit"))
    transaction.on_commit(lambda: Widget.objects.create(name=name + "-robust"), robust=True)
    transaction.set_rollback(False)


def on_commit_after_close(test):
    connection.close()
    name = attack_name(test)
    transaction.on_commit(lambda: Widget.objects.create(name=name + "-on-commit"))


def on_commit_in_nested_atomic(test):
    name = attack_name(test)
    with transaction.atomic():
        transaction.on_commit(lambda: Widget.objects.create(name=name + "-on-commit"))


def in_atomic_block_lifted_then_commit(test):
    # Hostile rather than careless: Django's own flag, then its commit.
    connection.in_atomic_block = False
    try:
        transaction.commit()
    finally:
        connection.in_atomic_block = True


def in_atomic_block_lifted_then_autocommit(test):
    connection.in_atomic_block = False
    try:
        connection.set_autocommit(True)
    finally:
        connection.in_atomic_block = True
    write(test, "-after")


def leave_driver_transaction_open(test):
    connection.connection.transaction().__enter__()
    write(test, "-inside")


def leave_pipeline_open(test):
    connection.connection.pipeline().__enter__()
    write(test, "-inside")


def driver_prepare_transaction(test):
    raw_execute("PREPARE TRANSACTION 'smoketest-attack'")


def raises_keyboard_interrupt(test):
    raise KeyboardInterrupt


def raises_system_exit(test):
    raise SystemExit(3)


@timeout(0.5)
def sleeps_past_its_limit(test):
    time.sleep(5)


ATTACKS = {
    function.__name__: function
    for function in (
        close_then_query,
        close_then_write_again,
        close_then_connect_then_write,
        connect_then_write,
        close_old_connections_then_write,
        set_autocommit_true,
        set_autocommit_true_swallowed_then_write,
        set_autocommit_false,
        transaction_commit,
        transaction_commit_swallowed_then_write,
        django_rollback_swallowed_then_write,
        driver_autocommit_then_write,
        driver_set_autocommit_then_write,
        driver_commit_then_write,
        driver_rollback_then_write,
        raw_cursor_commit_then_write,
        driver_cursor_commit_then_write,
        driver_cursor_end_begin_then_write,
        durable_atomic,
        durable_atomic_swallowed_then_write,
        leave_atomic_open,
        leave_savepoint_free_atomic_open,
        set_rollback_false,
        set_rollback_true_then_false,
        on_commit_callbacks,
        on_commit_after_close,
        on_commit_in_nested_atomic,
        in_atomic_block_lifted_then_commit,
        in_atomic_block_lifted_then_autocommit,
        leave_driver_transaction_open,
        leave_pipeline_open,
        driver_prepare_transaction,
        raises_keyboard_interrupt,
        raises_system_exit,
        sleeps_past_its_limit,
    )
}


# Where the attack runs: a test of a plain class, a test of a class with
# setUpClass, or that setUpClass itself (after its own write).
VARIANTS = {"plain": "", "in_class": "InClass", "in_set_up_class": "InSetUpClass"}


def class_name(attack: str, variant: str) -> str:
    return "".join(part.title() for part in attack.split("_")) + VARIANTS[variant]


def _attack_test(attack):
    def test_a_attack(self):
        SEEN.append((type(self).__name__, "test_a_attack", pid()))
        write(self)
        attack(self)

    limit = getattr(attack, "smoketest_timeout", None)
    return test_a_attack if limit is None else timeout(limit)(test_a_attack)


def _set_up_class(attack):
    @classmethod
    def setUpClass(cls):
        super(cls, cls).setUpClass()
        Widget.objects.create(name=f"class-{cls.__name__}")
        if attack is not None:
            attack(cls)

    return setUpClass


def _make(attack: str, variant: str) -> type:
    name = class_name(attack, variant)
    function = ATTACKS[attack]
    namespace = {"__module__": __name__, "__qualname__": name}
    if variant == "in_set_up_class":
        namespace["test_a_attack"] = Innocent.test_b_innocent  # the attack is setUpClass's
    else:
        namespace["test_a_attack"] = _attack_test(function)
    if variant == "in_set_up_class" and hasattr(function, "smoketest_timeout"):
        namespace["timeout"] = function.smoketest_timeout  # the class's limit: its setUpClass's
    if variant != "plain":
        namespace["setUpClass"] = _set_up_class(function if variant == "in_set_up_class" else None)
    return type(name, (Innocent, SmokeTest), namespace)


for _attack in ATTACKS:
    for _variant in VARIANTS:
        _cls = _make(_attack, _variant)
        globals()[_cls.__name__] = _cls


class Plain(SmokeTest):
    """The next run's innocent test: writes, in a guarded transaction."""

    def test_writes(self):
        Innocent.test_b_innocent(self)
