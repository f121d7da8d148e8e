"""The Celery apps of the Celery check's tests (the tests start the worker)."""

from celery import Celery

from tests.settings import CELERY_BROKER_URL, DB_PREFIX

#: The queue the tests' worker consumes.
QUEUE = f"{DB_PREFIX}-smoke"

app = Celery("smoketest_tests", broker=CELERY_BROKER_URL)
app.conf.update(
    task_default_queue=QUEUE,
    # Its own control exchange: only this run's worker answers its pings.
    control_exchange=f"{DB_PREFIX}-tests",
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
)

#: The same broker, but a control exchange no worker listens to: an app whose workers are all down.
idle_app = Celery("smoketest_tests_idle", broker=CELERY_BROKER_URL)
idle_app.conf.control_exchange = f"{DB_PREFIX}-idle"

#: An app whose beat reads the periodic tasks of django-celery-beat (through the alias ``-S django`` uses).
beat_app = Celery("smoketest_tests_beat", broker=CELERY_BROKER_URL)
beat_app.conf.beat_scheduler = "django"
