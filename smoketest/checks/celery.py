"""Celery: the broker accepts a connection and enough workers answer."""

from typing import Any

from django.utils.module_loading import import_string

from smoketest.checks.base import BuiltinCheck, seconds_until
from smoketest.checks.deadline import DeadlineExceeded, deadline
from smoketest.core.masking import mask, password_is_unescaped, register, url_secrets


class CeleryAppCheck(BuiltinCheck):
    """Base of the checks of a Celery app; it has no tests of its own."""

    #: The Celery app, or its import string (``"proj.celery.app"``); ``None``: ``celery.current_app``.
    app: Any = None

    def celery_app(self) -> Any:
        if self.app is None:
            from celery import current_app

            return current_app._get_current_object()
        if isinstance(self.app, str):
            with self.failing_as(f"could not import the Celery app {self.app!r}"):
                return import_string(self.app)
        return self.app


class CelerySmoke(CeleryAppCheck):
    """The broker accepts a connection and at least ``min_workers`` workers
    answer a ping (with ``queue``: at least one of them consumes it). Nothing
    is retried, and nothing waits past the test's time limit. Needs
    ``celery``; without it the test is skipped."""

    tags = frozenset({"builtin", "celery"})
    #: Workers that must answer.
    min_workers: int = 1
    #: A queue at least one worker must consume; ``None``: any.
    queue: str | None = None
    #: Seconds to connect to the broker, and for each exchange with it.
    connect_timeout: float = 2.0
    #: Seconds to wait for the workers' answers.
    ping_timeout: float = 2.0

    def test_workers_answer_a_ping(self) -> None:
        stop_at = self.report_deadline()
        self.require("celery")
        app = self.celery_app()
        configured = str(app.conf.broker_url or "")
        register(url_secrets(configured))
        if password_is_unescaped(configured):
            self.fail(f"broker {mask(configured)}: its password holds an unescaped '/', '?' or '#': percent-encode it")
        connection = broker_connection(app, min(self.connect_timeout, seconds_until(stop_at)))
        uri = connection.as_uri(include_password=True)
        register(url_secrets(uri))
        broker = f"broker {mask(uri)}"
        try:
            # What no socket timeout bounds (kombu's retry loops) ends at the deadline.
            with deadline(seconds_until(stop_at)):
                try:
                    self.check_workers(app, connection, broker, stop_at)
                finally:
                    connection.release()
        except DeadlineExceeded:
            self.fail(f"{broker}: still waiting for an answer at the test's time limit")

    def check_workers(self, app: Any, connection: Any, broker: str, stop_at: float) -> None:
        with self.failing_as(f"{broker} did not accept a connection"):
            connection.ensure_connection(max_retries=0)
        wait = min(self.ping_timeout, seconds_until(stop_at))
        if self.queue is None:
            # Stops waiting as soon as enough workers have answered.
            with self.failing_as(f"{broker}: could not ping the workers"):
                replies = app.control.ping(timeout=wait, limit=self.min_workers, connection=connection)
            workers = sorted(name for reply in replies for name in reply)
        else:
            # Every worker answers with its queues: wait for all of them.
            with self.failing_as(f"{broker}: could not ask the workers for their queues"):
                queues = app.control.inspect(timeout=wait, connection=connection).active_queues() or {}
            workers = sorted(queues)
        if len(workers) < self.min_workers:
            asked = "ping" if self.queue is None else "inspect active_queues"
            self.fail(f"{broker}: {len(workers)} of {self.min_workers} workers answered {asked} within {wait:g} s")
        if self.queue is not None:
            consumed = sorted({queue["name"] for worker in workers for queue in queues[worker]})
            if self.queue not in consumed:
                self.fail(
                    f"{broker}: no worker consumes queue {self.queue!r}; the {len(workers)} workers that "
                    f"answered consume {', '.join(map(repr, consumed)) or 'nothing'}"
                )


def broker_connection(app: Any, seconds: float) -> Any:
    """A connection to ``app``'s broker that never retries and gives up on a
    silent broker after about ``seconds`` (Redis and AMQP transports)."""
    return app.connection_for_write(
        connect_timeout=seconds,
        transport_options={
            "max_retries": 0,
            "socket_connect_timeout": seconds,
            # Above the 1 s a Redis broker's BRPOP waits for replies.
            "socket_timeout": max(seconds, 1.5),
            "read_timeout": seconds,
            "write_timeout": seconds,
        },
    )
