"""CeleryBeatSmoke against real django-celery-beat schedules in the test
databases: periodic tasks on time, made late, never run, missing or disabled,
run by a real beat process, and the scheduler the Celery app names."""

import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import ROOT, redis_or_skip, subprocess_env
from tests.settings import CELERY_BROKER_URL, DB_PREFIX
from tests.smokeapps.beat import smoke

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)

BEAT = "beat.Beat"
TASKS = f"{BEAT}.test_periodic_tasks_ran_on_time"
SCHEDULER = f"{BEAT}.test_beat_uses_the_database_scheduler"


@pytest.fixture
def run_beat(get_json, smoke_apps):
    """Run one test of ``Beat`` through the endpoint; return its JSON entry."""
    smoke_apps("beat")

    def run(test: str = TASKS) -> dict:
        _, document = get_json(test=test)
        (entry,) = document["tests"]
        return entry

    return run


@pytest.fixture
def beat():
    """django-celery-beat's models (the test is skipped without it)."""
    return pytest.importorskip("django_celery_beat.models")


def every(beat, minutes: int, name: str, *, last_run_at, **fields):
    interval, _ = beat.IntervalSchedule.objects.get_or_create(every=minutes, period=beat.IntervalSchedule.MINUTES)
    return beat.PeriodicTask.objects.create(
        name=name, task="tests.celery_app.noop", interval=interval, last_run_at=last_run_at, **fields
    )


def hourly(beat, name: str, *, last_run_at):
    crontab, _ = beat.CrontabSchedule.objects.get_or_create(minute="0", hour="*", timezone="UTC")
    return beat.PeriodicTask.objects.create(
        name=name, task="tests.celery_app.noop", crontab=crontab, last_run_at=last_run_at
    )


def rows(beat) -> list[tuple]:
    return list(beat.PeriodicTask.objects.order_by("name").values_list("name", "enabled", "last_run_at"))


def test_tasks_that_ran_on_time_pass_and_nothing_is_written(run_beat, beat):
    now = timezone.now()
    every(beat, 5, "cleanup", last_run_at=now - timedelta(minutes=1))
    hourly(beat, "digest", last_run_at=now.replace(minute=0, second=0, microsecond=0))
    every(beat, 5, "paused", last_run_at=None, enabled=False)  # disabled: not checked
    every(beat, 5, "slightly-late", last_run_at=now - timedelta(minutes=5, seconds=100))  # beat syncs every 3 min
    before = rows(beat)
    test = run_beat()
    assert (test["status"], test["message"]) == ("pass", "")
    assert sorted(test["tags"]) == ["beat", "builtin", "celery"]
    assert rows(beat) == before


def test_a_task_made_late_fails_naming_it_and_how_late(run_beat, beat):
    now = timezone.now()
    every(beat, 5, "cleanup", last_run_at=now - timedelta(minutes=1))
    every(beat, 5, "reports", last_run_at=now - timedelta(hours=1))
    hourly(beat, "digest", last_run_at=now - timedelta(hours=4))
    test = run_beat()
    message = test["message"]
    assert test["status"] == "fail"
    assert "(task='reports'): periodic task 'reports' (every 5 minutes) is 55 min late: due " in message
    assert ", max_age 300 s" in message
    assert "(task='digest'): periodic task 'digest' (0 * * * * (m/h/dM/MY/d) UTC) is " in message
    assert "'cleanup'" not in message


def test_max_age_sets_how_late_a_task_may_be(run_beat, beat, monkeypatch):
    every(beat, 5, "reports", last_run_at=timezone.now() - timedelta(hours=1))
    monkeypatch.setattr(smoke.Beat, "max_age", 3600.0)
    assert run_beat()["status"] == "pass"
    monkeypatch.setattr(smoke.Beat, "max_age", 60.0)
    assert "is 55 min late" in run_beat()["message"]


def test_a_task_that_never_ran_is_late_from_its_start_time(run_beat, beat):
    every(beat, 5, "imports", last_run_at=None, start_time=timezone.now() - timedelta(hours=2))
    every(beat, 5, "later", last_run_at=None, start_time=timezone.now() + timedelta(hours=2))  # not due yet
    test = run_beat()
    assert test["status"] == "fail"
    assert "(task='imports'): periodic task 'imports' (every 5 minutes) is 2.0 h late: " in test["message"]
    assert ", last run never, " in test["message"]
    assert "'later'" not in test["message"]


def test_named_tasks_that_are_missing_or_disabled_fail(run_beat, beat, monkeypatch):
    now = timezone.now()
    every(beat, 5, "cleanup", last_run_at=now - timedelta(minutes=1))
    every(beat, 5, "paused", last_run_at=None, enabled=False)
    every(beat, 5, "ignored", last_run_at=now - timedelta(days=3))  # late, but not named
    monkeypatch.setattr(smoke.Beat, "tasks", ["cleanup", "paused", "vanished"])
    test = run_beat()
    assert test["status"] == "fail"
    assert "(task='paused'): periodic task 'paused' is disabled" in test["message"]
    assert "(task='vanished'): periodic task 'vanished' does not exist" in test["message"]
    assert "'cleanup'" not in test["message"] and "'ignored'" not in test["message"]


def test_without_enabled_tasks_it_is_skipped_saying_why(run_beat, beat):
    every(beat, 5, "paused", last_run_at=None, enabled=False)
    assert (run_beat()["status"], run_beat()["message"]) == ("skip", "no enabled periodic task to check")


def test_the_scheduler_the_app_names_is_the_database_one(run_beat, beat, monkeypatch):
    test = run_beat(SCHEDULER)  # beat_app names it by its alias, "django"
    assert (test["status"], test["message"]) == ("pass", "")
    monkeypatch.setattr(smoke.Beat, "app", "tests.celery_app.app")  # Celery's default: a schedule file
    test = run_beat(SCHEDULER)
    assert test["status"] == "fail"
    assert test["message"].startswith(
        "the Celery app's beat_scheduler is 'celery.beat:PersistentScheduler', not "
        "'django_celery_beat.schedulers:DatabaseScheduler': beat does not run the periodic tasks stored in the database"
    )


def test_without_django_celery_beat_both_tests_are_skipped_saying_so(run_beat, monkeypatch):
    monkeypatch.setitem(sys.modules, "django_celery_beat", None)  # as if not installed
    for name in (TASKS, SCHEDULER):
        test = run_beat(name)
        assert (test["status"], test["message"]) == (
            "skip",
            "django_celery_beat is not installed "
            "(ModuleNotFoundError: import of django_celery_beat halted; None in sys.modules)",
        )


@pytest.fixture
def start_beat(tmp_path):
    """Start a real ``celery beat`` with django-celery-beat's scheduler on this
    test's databases (``tests.beat_app``); it is stopped when the test ends."""
    redis = redis_or_skip(CELERY_BROKER_URL)
    processes = []
    log = tmp_path / "beat.log"

    def start() -> subprocess.Popen:
        command = [sys.executable, "-m", "celery", "-A", "tests.beat_app", "beat", "--pidfile=", "-l", "info"]
        with log.open("w") as output:
            process = subprocess.Popen(command, cwd=ROOT, env=subprocess_env(), stdout=output, stderr=subprocess.STDOUT)
        processes.append(process)
        return process

    start.log = log
    yield start
    for process in processes:
        process.kill()  # it keeps nothing worth a clean shutdown
        process.wait()
    redis.delete(f"{DB_PREFIX}-beat")  # the tasks it sent, which no worker consumes


def test_a_late_task_is_on_time_again_once_a_real_beat_runs_it(run_beat, beat, start_beat, monkeypatch):
    interval, _ = beat.IntervalSchedule.objects.get_or_create(every=1, period=beat.IntervalSchedule.SECONDS)
    beat.PeriodicTask.objects.create(
        name="heartbeat",
        task="tests.celery_app.noop",
        interval=interval,
        queue=f"{DB_PREFIX}-beat",
        last_run_at=timezone.now() - timedelta(hours=1),
    )
    monkeypatch.setattr(smoke.Beat, "max_age", 30.0)
    test = run_beat()
    assert test["status"] == "fail"
    assert "(task='heartbeat'): periodic task 'heartbeat' (every second) is 60 min late: " in test["message"]

    started = timezone.now()
    process = start_beat()
    end = time.monotonic() + 60
    while beat.PeriodicTask.objects.get(name="heartbeat").last_run_at < started:
        if process.poll() is not None or time.monotonic() > end:
            pytest.fail(f"beat did not run the task:\n{start_beat.log.read_text()}")
        time.sleep(0.2)
    test = run_beat()
    assert (test["status"], test["message"]) == ("pass", "")
