"""A smoke test run by several server processes sharing one Redis: each run
is recorded there (when it started and ended), and while ``HANG_KEY`` is set
a run records its process id and waits to be killed; ``SECONDS_KEY`` sets
how long it waits on the service."""

import os
import time

import redis

from smoketest import SmokeTest
from tests.settings import DB_PREFIX, REDIS_URL

RUNS_KEY = f"{DB_PREFIX}:fleet:runs"
HANG_KEY = f"{DB_PREFIX}:fleet:hang"
PID_KEY = f"{DB_PREFIX}:fleet:pid"
SECONDS_KEY = f"{DB_PREFIX}:fleet:seconds"
SECONDS = 0.3  # unless SECONDS_KEY says otherwise


class Fleet(SmokeTest):
    timeout = 60

    def test_waits_on_a_service(self):
        client = redis.Redis.from_url(REDIS_URL)
        started = time.time()
        if client.get(HANG_KEY):
            client.set(PID_KEY, os.getpid())
            while client.get(HANG_KEY):  # until it is killed
                time.sleep(0.05)
        time.sleep(float(client.get(SECONDS_KEY) or SECONDS))
        client.rpush(RUNS_KEY, f"{started} {time.time()}")
