"""The Celery app of a real beat process that a test starts on its test
databases, with django-celery-beat's scheduler (its models need Django set
up first: ``DJANGO_SETTINGS_MODULE`` is the test's subprocess settings)."""

import django

django.setup()

from celery import Celery  # noqa: E402

from tests.settings import CELERY_BROKER_URL, DB_PREFIX  # noqa: E402

#: The queue the periodic tasks of the test are sent to (no worker consumes it).
QUEUE = f"{DB_PREFIX}-beat"

app = Celery("smoketest_tests_beat_process", broker=CELERY_BROKER_URL)
app.conf.update(
    beat_scheduler="django_celery_beat.schedulers:DatabaseScheduler",
    beat_sync_every=1,  # last_run_at is written after every task sent, not every 3 minutes
    beat_max_loop_interval=1,
    broker_connection_retry_on_startup=True,
)
