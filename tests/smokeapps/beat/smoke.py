"""CeleryBeatSmoke configured by subclassing; the tests set the rest."""

from smoketest.checks import CeleryBeatSmoke


class Beat(CeleryBeatSmoke):
    app = "tests.celery_app.beat_app"
    timeout = 5
