"""Redis servers answer ``PING``."""

from collections.abc import Sequence

from smoketest.checks.base import BuiltinCheck, describe, seconds_until
from smoketest.core.masking import mask, password_is_unescaped, register, url_secrets


class RedisSmoke(BuiltinCheck):
    """Each URL in ``urls`` answers ``PING`` within ``socket_timeout``, with
    no retry. Needs ``redis`` (redis-py); without it the test is skipped."""

    tags = frozenset({"builtin", "redis"})
    #: Redis URLs (``redis://``, ``rediss://``, ``unix://``), e.g. ``[settings.RQ_REDIS_URL]``.
    urls: Sequence[str] = ()
    #: Seconds to connect, and again to get the answer (less when the test's time limit is nearer).
    socket_timeout: float = 2.0

    def test_redis_servers_answer_ping(self) -> None:
        if not self.urls:
            self.skipTest("no Redis URL to check: list them in urls")
        register(secret for url in self.urls for secret in url_secrets(url))
        stop_at = self.report_deadline()
        self.require("redis")
        for url in self.urls:
            with self.subTest(url=mask(url)):
                self.ping(url, min(self.socket_timeout, seconds_until(stop_at)))

    def ping(self, url: str, seconds: float) -> None:
        from redis import Redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        name = f"Redis {mask(url)}"
        if seconds <= 0:
            self.fail(f"{name} was not checked: the test's time limit is spent")
        if password_is_unescaped(url):
            self.fail(f"{name} was not checked: its password holds an unescaped '/', '?' or '#': percent-encode it")
        try:
            client = Redis.from_url(
                url, socket_connect_timeout=seconds, socket_timeout=seconds, retry=Retry(NoBackoff(), 0)
            )
            try:
                answer = client.ping()
            finally:
                client.close()
        except Exception as exc:
            self.fail(f"{name} did not answer PING (timeout {seconds:g} s): {describe(exc)}")
        self.assertTrue(answer, f"{name} answered PING with {answer!r}")
