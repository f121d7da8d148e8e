"""Celery beat: the periodic tasks of django-celery-beat run when their
schedules say, and beat reads them from the database."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps

from smoketest.checks.celery import CeleryAppCheck

BEAT_APP = "django_celery_beat"


class CeleryBeatSmoke(CeleryAppCheck):
    """Each enabled ``PeriodicTask`` of django-celery-beat (or each named in
    ``tasks``) last ran no more than ``max_age`` seconds after its schedule
    said it should have, and the Celery app's ``beat_scheduler`` is
    ``scheduler``. Reads only. Skipped without django-celery-beat installed."""

    tags = frozenset({"builtin", "celery", "beat"})
    #: Names of the periodic tasks to check; ``None``: every enabled one.
    tasks: Sequence[str] | None = None
    #: Seconds a task may be overdue. Beat writes ``last_run_at`` to the
    #: database every 3 minutes (``beat_sync_every`` aside), so keep it above that.
    max_age: float = 300.0
    #: The scheduler beat must use (an import path or an alias such as
    #: ``"django"``; a subclass passes); ``None``: not checked.
    scheduler: str | None = "django_celery_beat.schedulers:DatabaseScheduler"

    def setUp(self) -> None:
        self.require(BEAT_APP)
        if not apps.is_installed(BEAT_APP):
            self.skipTest(f"{BEAT_APP} is not in INSTALLED_APPS")

    def test_periodic_tasks_ran_on_time(self) -> None:
        from django_celery_beat.models import PeriodicTask

        with self.failing_as("could not read the periodic tasks"):
            if self.tasks is None:
                chosen = {task.name: task for task in PeriodicTask.objects.filter(enabled=True)}
            else:
                found = {task.name: task for task in PeriodicTask.objects.filter(name__in=self.tasks)}
                chosen = {name: found.get(name) for name in self.tasks}
        if not chosen:
            self.skipTest("no enabled periodic task to check")
        self.for_each("task", chosen, lambda name: self.check_task(name, chosen[name]))

    def check_task(self, name: str, task: Any) -> None:
        if task is None:
            self.fail(f"periodic task {name!r} does not exist")
        if not task.enabled:
            self.fail(f"periodic task {name!r} is disabled")
        with self.failing_as(f"could not compute when periodic task {name!r} was due"):
            late, due_at = overdue(task)
        if late is not None and late.total_seconds() > self.max_age:
            last = "never" if task.last_run_at is None else _moment(task.last_run_at)
            self.fail(
                f"periodic task {name!r} ({task.scheduler}) is {_duration(late)} late: due {_moment(due_at)}, "
                f"last run {last}, max_age {self.max_age:g} s"
            )

    def test_beat_uses_the_database_scheduler(self) -> None:
        if self.scheduler is None:
            self.skipTest("scheduler is None")
        self.require("celery")
        from celery.utils.imports import load_extension_class_names, symbol_by_name

        configured = self.celery_app().conf.beat_scheduler
        aliases = dict(load_extension_class_names("celery.beat_schedulers"))  # as beat resolves "-S django"
        with self.failing_as(f"the Celery app's beat_scheduler {configured!r} cannot be imported"):
            used = symbol_by_name(configured, aliases=aliases)
        with self.failing_as(f"scheduler {self.scheduler!r} cannot be imported"):
            wanted = symbol_by_name(self.scheduler, aliases=aliases)
        if not (isinstance(used, type) and issubclass(used, wanted)):
            self.fail(
                f"the Celery app's beat_scheduler is {configured!r}, not {self.scheduler!r}: beat does not run "
                "the periodic tasks stored in the database"
            )


def overdue(task: Any) -> tuple[timedelta | None, datetime]:
    """How long ago ``task`` was due (``None`` when it is not yet), and when
    it was: its schedule's next run after its last run (or, before its first
    run, after its start time or its last change, as beat counts)."""
    from celery.utils.time import maybe_make_aware

    schedule = task.schedule
    if task.one_off and task.total_run_count:
        return None, maybe_make_aware(task.last_run_at)  # ran: beat disables it
    now = maybe_make_aware(schedule.now())
    if task.start_time is not None and task.last_run_at is None:
        due_at = maybe_make_aware(task.start_time)
    else:
        since = maybe_make_aware(task.last_run_at or task.date_changed)
        due_at = now + schedule.remaining_estimate(since)
    if task.expires is not None and maybe_make_aware(task.expires) <= due_at:
        return None, due_at  # beat disables it rather than run it
    return (now - due_at if due_at < now else None), due_at


def _moment(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S %Z}".rstrip()


def _duration(span: timedelta) -> str:
    seconds = span.total_seconds()
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"
