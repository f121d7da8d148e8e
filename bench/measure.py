"""One measurement, in a process of the generated project; prints JSON.

Run by ``bench/run.py`` with the project directory as working directory and
``DJANGO_SETTINGS_MODULE=benchsite.settings``; also run by the venv of
django-smoketest 1.2.2, so only ``endpoint`` may be used with it.

    python measure.py floor REPEATS     # endpoint and plain-unittest floor, alternated
    python measure.py endpoint REPEATS  # endpoint only
    python measure.py io                # one run of the slow I/O suite
    python measure.py memory RUNS       # RSS and threads around RUNS runs
"""

import gc
import importlib
import json
import sys
import threading
import time
import unittest
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import django

sys.path.insert(0, str(Path.cwd()))
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connections, transaction  # noqa: E402
from django.test import Client  # noqa: E402


def get_report(client: Client, path: str = "/smoketest/") -> dict[str, str]:
    return report_of(client.get(path), path)


def report_of(response: Any, path: str) -> dict[str, str]:
    """The ``name: value`` lines of the default (plain text) answer, which
    both versions give; a non-PASS answer stops the benchmark."""
    text = response.content.decode()
    if response.status_code != 200 or not text.startswith("PASS"):
        raise SystemExit(f"GET {path} answered {response.status_code}: {text[:500]!r}")
    return dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)


def timed_endpoint(client: Client) -> tuple[float, int]:
    """Seconds ``GET /smoketest/`` takes through Django's test client, and the tests it ran."""
    start = time.perf_counter()
    response = client.get("/smoketest/")
    elapsed = time.perf_counter() - start
    return elapsed, int(report_of(response, "/smoketest/")["tests run"])


def cpu_timed(measure: Any, *args: Any) -> tuple[float, float]:
    """Wall and CPU seconds (this process, all threads) of ``measure(*args)``;
    CPU time hardly moves when other processes share the machine."""
    cpu = time.process_time()
    wall = measure(*args)
    wall = wall[0] if isinstance(wall, tuple) else wall
    return wall, time.process_time() - cpu


def floor_tests() -> list[tuple[type[unittest.TestCase], str]]:
    """The smoke test classes and methods of the benchmark apps."""
    loader = unittest.TestLoader()
    tests = []
    for app in settings.BENCH_APPS:
        module = importlib.import_module(f"{app}.smoke")
        for name in sorted(dir(module)):
            cls = getattr(module, name)
            if isinstance(cls, type) and issubclass(cls, unittest.TestCase) and cls.__module__ == module.__name__:
                tests.extend((cls, method) for method in loader.getTestCaseNames(cls))
    return tests


def timed_floor(tests: list[tuple[type[unittest.TestCase], str]]) -> float:
    """Plain unittest, each test (a new instance, as every unittest run
    makes) in a rolled-back ``atomic()`` on every alias, the connections
    then handled as at the end of a request (closed unless ``CONN_MAX_AGE``
    keeps them): the least a correct runner must do in a request."""
    aliases = list(connections)
    result = unittest.TestResult()
    start = time.perf_counter()
    for cls, method in tests:
        with ExitStack() as stack:
            for alias in aliases:
                stack.enter_context(transaction.atomic(using=alias))
            cls(method).run(result)
            for alias in aliases:
                transaction.set_rollback(True, using=alias)
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()
    elapsed = time.perf_counter() - start
    if not result.wasSuccessful() or result.testsRun != len(tests):
        raise SystemExit(f"floor run failed: {result.errors + result.failures}")
    return elapsed


def floor(repeats: int) -> dict[str, Any]:
    # Unpinned, as users run it: the workers land on whichever core is free.
    client = Client()
    tests = floor_tests()
    timed_endpoint(client)  # warm-up: discovery, imports, connections
    timed_floor(tests)
    endpoint, floor_times = [], []
    for _ in range(repeats):  # alternated, so that both see the same machine
        endpoint.append(cpu_timed(timed_endpoint, client))
        floor_times.append(cpu_timed(timed_floor, tests))
    return {
        "endpoint": [wall for wall, _ in endpoint],
        "floor": [wall for wall, _ in floor_times],
        "endpoint_cpu": [cpu for _, cpu in endpoint],
        "floor_cpu": [cpu for _, cpu in floor_times],
        "tests_run": timed_endpoint(client)[1],
        "floor_tests": len(tests),
    }


def endpoint(repeats: int) -> dict[str, Any]:
    client = Client()
    timed_endpoint(client)
    times, tests_run = [], 0
    for _ in range(repeats):
        seconds, tests_run = timed_endpoint(client)
        times.append(seconds)
    return {"endpoint": times, "tests_run": tests_run}


def io() -> dict[str, Any]:
    from smoketest.core.settings import DEFAULTS

    client = Client()
    seconds, tests_run = timed_endpoint(client)
    return {"seconds": seconds, "tests_run": tests_run, "parallel_available": "WORKERS" in DEFAULTS}


def process_status() -> dict[str, int]:
    """VmRSS (kB) and Threads of this process, from /proc."""
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return {"rss_kb": int(status["VmRSS"].split()[0]), "threads": int(status["Threads"])}


def database_sessions() -> int | None:
    """Sessions open on the benchmark's PostgreSQL database (this one included)."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def memory(runs: int) -> dict[str, Any]:
    client = Client()
    path = f"/smoketest/?test={settings.BENCH_APPS[0]}"
    for _ in range(max(50, runs // 10)):  # warm-up: caches, arenas, connections
        get_report(client, path)
    gc.collect()
    before = process_status()
    threads_before = threading.active_count()
    sessions_before = database_sessions()
    for _ in range(runs):
        get_report(client, path)
    gc.collect()
    after = process_status()
    return {
        "sessions_before": sessions_before,
        "sessions_after": database_sessions(),
        "runs": runs,
        "rss_before_kb": before["rss_kb"],
        "rss_after_kb": after["rss_kb"],
        "threads_before": before["threads"],
        "threads_after": after["threads"],
        "python_threads_before": threads_before,
        "python_threads_after": threading.active_count(),
    }


COMMANDS = {"floor": floor, "endpoint": endpoint, "io": io, "memory": memory}

if __name__ == "__main__":
    command, *args = sys.argv[1:]
    print(json.dumps(COMMANDS[command](*map(int, args))))
