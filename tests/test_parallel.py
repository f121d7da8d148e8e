"""Parallel runs (``SMOKETEST_WORKERS``): test classes run at once on worker
threads, each test still in its own rolled-back transaction; SQLite runs
them one at a time instead."""

import io
import itertools
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection, connections

from smoketest.core.settings import smoketest_settings
from smoketest.engine.selection import Selection, selected_suite
from smoketest.engine.supervisor import IDLE_NAME, retire_idle_workers
from smoketest.system_checks import check_workers
from tests.conftest import by_name, server_sessions, wait_for_workers_to_end, widget_names, workers
from tests.smokeapps.parallel.smoke import oneclass, quick, units
from tests.smokeapps.parallel.smoke.destructive import ROWS
from tests.smokeapps.parallel.spans import SPANS, overlap
from tests.testapp.models import Widget

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)

PARALLEL = connection.vendor != "sqlite"
WAITING = "tests.smokeapps.parallel.smoke.waiting"
DESTRUCTIVE = "tests.smokeapps.parallel.smoke.destructive"
UNITS = "tests.smokeapps.parallel.smoke.units"
ONE_CLASS = "tests.smokeapps.parallel.smoke.oneclass"
QUICK = "tests.smokeapps.parallel.smoke.quick"


@pytest.fixture
def parallel_app(smoke_apps, settings):
    smoke_apps("parallel", "slow")
    settings.SMOKETEST_WORKERS = 8
    SPANS.clear()


def timed_get(get_json, *labels, **params):
    start = time.monotonic()
    response, document = get_json(test=list(labels), **params)
    return time.monotonic() - start, response, document


def report(document) -> list[tuple[str, str, str]]:
    return [(test["name"], test["status"], test["message"]) for test in document["tests"]]


def by_class(document) -> dict:
    """The ``tests`` entries of a JSON document, keyed by their class's name."""
    return {test["name"].split(".")[-2]: test for test in document["tests"]}


def overlapping_pairs() -> list[tuple[str, str]]:
    return [(first[0], second[0]) for first, second in itertools.combinations(SPANS, 2) if overlap(first, second)]


def test_sqlite_runs_serially_whatever_the_setting(settings):
    settings.SMOKETEST_WORKERS = 8
    assert smoketest_settings.workers == (8 if PARALLEL else 1)


def test_concurrent_destructive_tests_leave_every_row(get_json, parallel_app):
    rows = sorted(f"row-{number}" for number in range(ROWS))
    for alias in connections:
        Widget.objects.using(alias).bulk_create(Widget(name=name) for name in rows)
    _, response, document = timed_get(get_json, DESTRUCTIVE)
    tests = by_class(document)
    assert response.status_code == 500
    assert widget_names() == {"default": rows, "other": rows}
    for name in ("DeletesEveryRow", "RenamesEveryRow", "TruncatesTheTable", "SeesEveryRow"):
        assert tests[name]["status"] == "pass", tests[name]
    assert tests["CommitsItsDeletes"]["message"].startswith("TransactionManagementError")
    assert tests["CommitsRawSQL"]["message"].startswith("CommitForbidden")
    # They ran at the same time (each waited on the others' row locks, not on a worker).
    assert bool(overlapping_pairs()) == PARALLEL


def test_parallel_run_reports_what_a_serial_run_does_in_a_fraction_of_its_time(get_json, parallel_app, settings, runs):
    settings.SMOKETEST_WORKERS = 1
    serial_seconds, _, serial = timed_get(get_json, WAITING)
    settings.SMOKETEST_WORKERS = 8
    parallel_seconds, response, parallel = timed_get(get_json, WAITING)
    assert response.status_code == 500
    # Same entries in the same (suite) order, although the first waits the longest.
    assert report(parallel) == report(serial)
    assert list(by_class(parallel))[:3] == ["AFailsSoon", "Waits0", "Waits1"]
    assert [outcome.name for outcome in runs[1].outcomes] == [test["name"] for test in parallel["tests"]]
    assert serial_seconds > 5
    if PARALLEL:
        assert parallel_seconds < serial_seconds / 2


@pytest.mark.parametrize(
    "params", [{}, {"tag": "critical"}, {"exclude_tag": "db"}, {"test": ["outcomes", "isolation"]}]
)
def test_every_kind_of_outcome_is_reported_as_in_a_serial_run(get_json, smoke_apps, settings, params):
    smoke_apps("outcomes", "tagged", "isolation", "multidb", "package", "broken", "asyncapp", "subclassing")
    documents = []
    for count in (1, 4):
        settings.SMOKETEST_WORKERS = count
        documents.append(get_json(**params)[1])
        wait_for_workers_to_end()  # the async test that timed out
    serial, parallel = documents
    assert report(parallel) == report(serial)
    clock = {"tests": None, "time": None, "started_at": None}
    assert {**parallel, **clock} == {**serial, **clock}
    assert widget_names() == {"default": [], "other": []}


def test_parallel_false_classes_overlap_no_other_class(get_json, parallel_app):
    timed_get(get_json, WAITING)
    assert len(SPANS) == 8
    pairs = overlapping_pairs()
    assert all("Alone" not in name for pair in pairs for name in pair), pairs
    assert bool(pairs) == PARALLEL


def test_a_run_starts_no_more_workers_than_it_has_work_for(get_json, parallel_app, settings):
    settings.SMOKETEST_WORKERS = 50
    counts = []
    running = threading.Event()
    running.set()

    def watch() -> None:
        while running.is_set():
            counts.append(len(workers()))
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    timed_get(get_json, WAITING)
    running.clear()
    watcher.join()
    assert 1 <= max(counts) <= (10 if PARALLEL else 1)  # 10 tests
    wait_for_workers_to_end()


def test_the_tests_of_a_class_with_fixtures_run_one_after_another(get_json, parallel_app):
    units.SET_UP.clear()
    _, response, document = timed_get(get_json, UNITS)
    assert response.status_code == 200
    assert [name.rsplit(".", 2)[-2:] for name, _, _ in report(document)] == [
        ["Plain", "test_a"],
        ["Plain", "test_b"],
        ["WithClassFixtures", "test_a"],
        ["WithClassFixtures", "test_b"],
        ["WithSetUp", "test_a"],
        ["WithSetUp", "test_b"],
    ]
    assert units.SET_UP == ["WithClassFixtures"]
    classes = {tuple(sorted(name.split(".")[-2] for name in pair)) for pair in overlapping_pairs()}
    # Plain's tests run beside each other; those of a class with fixtures one after another.
    others = {("Plain", "WithClassFixtures"), ("Plain", "WithSetUp"), ("WithClassFixtures", "WithSetUp")}
    assert classes == ({("Plain", "Plain"), *others} if PARALLEL else set())


def test_concurrent_destructive_tests_of_one_class_leave_every_row(get_json, parallel_app):
    rows = sorted(f"row-{number}" for number in range(ROWS))
    for alias in connections:
        Widget.objects.using(alias).bulk_create(Widget(name=name) for name in rows)
    _, response, document = timed_get(get_json, f"{ONE_CLASS}.EveryTestDestroys")
    tests = by_name(document)
    assert response.status_code == 500
    assert widget_names() == {"default": rows, "other": rows}
    assert list(tests) == sorted(tests)  # suite order
    for name in ("deletes_every_row", "renames_every_row", "truncates_the_table", "sees_every_row"):
        assert tests[f"test_{name}"]["status"] == "pass", tests[f"test_{name}"]
    assert tests["test_commits_its_deletes"]["message"].startswith("TransactionManagementError")
    assert tests["test_commits_raw_sql"]["message"].startswith("CommitForbidden")
    assert bool(overlapping_pairs()) == PARALLEL


def test_the_tests_of_one_class_wait_side_by_side_with_limits_and_order_kept(get_json, parallel_app):
    oneclass.RELEASE.clear()
    try:
        elapsed, _, document = timed_get(get_json, f"{ONE_CLASS}.Waits")
    finally:
        oneclass.RELEASE.set()
    tests = by_name(document)
    assert list(tests) == ["test_a_fails_soon", "test_b_hangs", "test_c", "test_d", "test_e", "test_f", "test_g"]
    assert tests["test_b_hangs"]["message"] == "timed out after 1 s"
    assert all(tests[name]["status"] == "pass" for name in ("test_c", "test_d", "test_e", "test_f", "test_g"))
    if PARALLEL:  # serially: 4.1 s
        assert elapsed < 2
        assert len(overlapping_pairs()) == 10  # every pair of the five that wait
    wait_for_workers_to_end()


def test_quick_tests_run_on_one_worker_and_slow_ones_beside_each_other(get_json, parallel_app):
    quick.THREADS.clear()
    _, _, document = timed_get(get_json, QUICK)
    assert (document["status"], document["tests_run"]) == ("PASS", 8)
    assert len(quick.THREADS) == 1  # no test waited: no second worker was hired
    oneclass.RELEASE.clear()
    try:
        timed_get(get_json, f"{ONE_CLASS}.Waits")
    finally:
        oneclass.RELEASE.set()
    if PARALLEL:
        assert len(overlapping_pairs()) == 10  # the tests that wait, beside each other
    wait_for_workers_to_end()


def test_failfast_starts_no_test_of_a_class_after_its_first_problem(get_json, parallel_app, settings):
    settings.SMOKETEST_WORKERS = 2
    oneclass.RELEASE.clear()
    _, _, document = timed_get(get_json, f"{ONE_CLASS}.Waits", failfast="1")
    # Two workers share the class's seven tests: the first takes a to d, the
    # second e and f. The test it had started beside the failing one ends and
    # is reported; no other test starts (the hanging one was to follow the first).
    assert list(by_name(document)) == (["test_a_fails_soon", "test_e"] if PARALLEL else ["test_a_fails_soon"])
    assert document["tests_failed"] == 1
    oneclass.RELEASE.set()
    wait_for_workers_to_end()


def test_a_timeout_in_one_worker_does_not_stop_the_others(get_json, parallel_app, release):
    for alias in connections:
        Widget.objects.using(alias).create(name="kept")
    elapsed, _, document = timed_get(get_json, WAITING, "slow.Hangs")
    tests = by_name(document) | by_class(document)
    assert tests["test_a_hangs_after_writing"]["message"] == "timed out after 2 s"
    assert tests["test_b_runs_after_the_timeout"]["status"] == "pass"
    assert all(tests[f"Waits{number}"]["status"] == "pass" for number in range(6))
    if PARALLEL:
        assert elapsed < 3.5  # the 2 s timeout, while the others ran
    release.set()
    wait_for_workers_to_end()
    assert widget_names() == {"default": ["kept"], "other": ["kept"]}


def test_the_run_budget_stops_every_worker_and_reports_each_test_once(get_json, parallel_app, settings):
    settings.SMOKETEST_RUN_TIMEOUT = 0.5
    elapsed, _, document = timed_get(get_json, WAITING)
    assert elapsed < 2
    suite = selected_suite(Selection(labels=(WAITING,)))
    assert [test["name"] for test in document["tests"]] == [
        test_class.test_name(method) for app in suite for test_class in app.classes for method in test_class.methods
    ]
    for name in ("Waits0", "Waits2Alone", "Waits4Alone"):  # they cannot have finished by then
        assert "the run's 0.5 s budget was spent" in by_class(document)[name]["message"]
    wait_for_workers_to_end()


def test_failfast_starts_nothing_after_the_first_problem(get_json, parallel_app, settings):
    settings.SMOKETEST_WORKERS = 2
    _, _, document = timed_get(get_json, WAITING, failfast="1")
    ran = list(by_class(document))
    # What had started when the failure came still finishes, and is reported.
    assert ran == (["AFailsSoon", "Waits0"] if PARALLEL else ["AFailsSoon"])
    assert document["tests_failed"] == 1


def test_verbosity_2_prints_each_outcome_once_as_it_arrives(parallel_app):
    stderr = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("smoketest", WAITING, verbosity=2, stdout=io.StringIO(), stderr=stderr)
    names = [line.split(" ... ")[0] for line in stderr.getvalue().splitlines()]
    assert len(names) == len(set(names)) == 10
    assert all(name.startswith(f"{WAITING}.") for name in names)
    if PARALLEL:  # in the order they finished: the shortest wait first
        assert names.index(f"{WAITING}.Waits5.test_waits") < names.index(f"{WAITING}.Waits0.test_waits")


@pytest.mark.skipif(not PARALLEL, reason="SQLite has no server sessions")
def test_workers_close_their_connections_when_the_run_ends(get_json, smoke_apps, settings):
    smoke_apps("isolation", "multidb", "passing")
    settings.SMOKETEST_WORKERS = 4
    get_json()
    time.sleep(0.5)  # the server ends the sessions closed meanwhile
    baseline = len(server_sessions())
    most = [0]
    running = threading.Event()

    def watch() -> None:
        try:
            while running.is_set():
                most[0] = max(most[0], len(server_sessions()))
        finally:
            connection.close()

    for _ in range(4):
        running.set()
        watcher = threading.Thread(target=watch)
        watcher.start()
        get_json()
        running.clear()
        watcher.join()
        end = time.monotonic() + 5
        while len(server_sessions()) > baseline and time.monotonic() < end:
            time.sleep(0.05)
        assert len(server_sessions()) == baseline
    assert most[0] > baseline + 1  # the workers'


def idle_workers() -> set[threading.Thread]:
    return {thread for thread in threading.enumerate() if thread.name == IDLE_NAME}


def test_workers_wait_for_the_next_run_and_end_when_retired(get_json, smoke_apps, settings):
    smoke_apps("passing", "multidb", "outcomes")
    settings.SMOKETEST_WORKERS = 4
    retire_idle_workers()
    get_json()
    idle = idle_workers()
    assert 1 <= len(idle) <= (4 if PARALLEL else 1)
    for _ in range(3):
        get_json()
        # The same threads wait again (more join them only while tests wait, up to 4).
        assert idle <= idle_workers() and len(idle_workers()) <= (4 if PARALLEL else 1)
    retire_idle_workers()
    assert idle_workers() == set()


def test_workers_on_sqlite_warn_that_they_have_no_effect(settings):
    settings.SMOKETEST_WORKERS = 4
    messages = check_workers()
    if PARALLEL:
        assert messages == []
    else:
        assert [message.id for message in messages] == ["smoketest.W004"]
        assert messages[0].msg == (
            "SMOKETEST_WORKERS = 4 has no effect: smoke tests run one class at a time because "
            "'default', 'other' are SQLite, which serves one writer at a time."
        )
    settings.SMOKETEST_WORKERS = 1
    assert check_workers() == []


def test_each_run_starts_without_the_state_an_earlier_run_left_in_its_worker(get_json, smoke_apps, settings):
    from tests.smokeapps.leftstate.smoke import SEEN

    retire_idle_workers()
    smoke_apps("leftstate")
    settings.SMOKETEST_WORKERS = 1  # the next runs are served by the same worker
    SEEN.clear()
    for _ in range(3):
        response, document = get_json()
        assert document["status"] == "PASS", document
    fresh = (settings.LANGUAGE_CODE, None, "/", settings.TIME_ZONE)
    assert list(SEEN) == [fresh] * 3
    retire_idle_workers()
