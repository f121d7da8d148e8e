"""A smoke test run by several server processes sharing one Redis: each run
is recorded there (when it started and ended), and while ``HANG_KEY`` is set
a run records its process id and waits to be killed."""

import os
import time

import redis

from smoketest import SmokeTest
from tests.settings import DB_PREFIX, REDIS_URL

RUNS_KEY = f"{DB_PREFIX}:fleet:runs"
HANG_KEY = f"{DB_PREFIX}:fleet:hang"
PID_KEY = f"{DB_PREFIX}:fleet:pid"
SECONDS = 0.3


class Fleet(SmokeTest):
    timeout = 60

    def test_waits_on_a_service(self):
        client = redis.Redis.from_url(REDIS_URL)
        started = time.time()
        if client.get(HANG_KEY):
            client.set(PID_KEY, os.getpid())
            while client.get(HANG_KEY):  # until it is killed
                time.sleep(0.05)
        time.sleep(SECONDS)
        client.rpush(RUNS_KEY, f"{started} {time.time()}")
