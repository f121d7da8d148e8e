"""The peers measurement's pieces: django-smoketest, django-health-check and
django-watchman side by side under gunicorn, with equivalent checks.

``generate_peer_site`` writes one small site (``peersite``) whose settings
``PEER_APP`` points at one of the three apps, each checking the same
PostgreSQL database, Redis cache and default file storage: django-smoketest
with its built-in ``DatabaseSmoke``, ``CacheSmoke`` and ``StorageSmoke`` (in
``peerchecks/smoke.py``), django-health-check with its ``Database``,
``Cache`` and ``Storage`` checks, django-watchman with its ``databases``,
``caches`` and ``storage`` checks. None of them caches its result.

``WATCHMAN_WRITING`` is django-watchman with one more check
(``peerchecks.write``): the rolled-back write django-smoketest's
``DatabaseSmoke`` adds to a ``SELECT 1`` (an insert, its read-back, in a
transaction rolled back), in plain Django. Against django-watchman alone it
shows what that write costs whoever does it: the least our ratios to
watchman can be.

The peers run in virtualenvs of their own, with their latest release that
installs on this Python and the same Django, gunicorn, psycopg and redis
releases as this environment, so that only the apps differ.
"""

import importlib.metadata
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

OURS = "django-smoketest"
PEERS = ("django-health-check", "django-watchman")
APPS = (OURS, *PEERS)
WATCHMAN_WRITING = "django-watchman + rolled-back write"
#: Where each app answers; health-check's plain text answer, as ours is plain text by default.
PATHS = {
    OURS: "/health/",
    "django-health-check": "/health/?format=text",
    "django-watchman": "/health/",
    WATCHMAN_WRITING: "/health/",
}
#: The libraries the peers' virtualenvs take at this environment's release (when it has them).
STACK = ("Django", "gunicorn", "psycopg", "psycopg-binary", "redis")
#: How long a peer's virtualenv is used before pip looks for a newer release of it.
REFRESH_SECONDS = 24 * 3600

SETTINGS = '''\
"""One peer's site: PEER_APP chooses the app; database, cache and storage are the same for all."""

import os

APP = os.environ["PEER_APP"]
SECRET_KEY = "smoketest-bench-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
ROOT_URLCONF = "peersite.urls"
WSGI_APPLICATION = "peersite.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
MIDDLEWARE = []
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["BENCH_PG_NAME"],
        "USER": os.environ.get("PGUSER", "postgres"),
        "HOST": os.environ.get("PGHOST", "127.0.0.1"),
        "PORT": os.environ.get("PGPORT", "5432"),
        "CONN_MAX_AGE": int(os.environ["PEER_CONN_MAX_AGE"]),
    }
}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["PEER_REDIS_URL"],
        "KEY_PREFIX": os.environ["PEER_CACHE_PREFIX"],
    }
}
MEDIA_ROOT = os.environ["PEER_MEDIA_ROOT"]
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
if APP == "django-smoketest":
    INSTALLED_APPS += ["rest_framework", "smoketest", "peerchecks"]
    SMOKETEST_CACHE_SECONDS = 0
    SMOKETEST_THROTTLE_CLASSES = []
elif APP == "django-health-check":
    INSTALLED_APPS += ["health_check"]
else:
    INSTALLED_APPS += ["watchman"]
    WATCHMAN_CHECKS = ("watchman.checks.databases", "watchman.checks.caches", "watchman.checks.storage")
    if APP == "django-watchman + rolled-back write":
        WATCHMAN_CHECKS += ("peerchecks.write.rolled_back_write",)
'''

URLS = """\
from django.conf import settings
from django.urls import include, path

if settings.APP == "django-smoketest":
    urlpatterns = [path("health/", include("smoketest.urls"))]
elif settings.APP == "django-health-check":
    from health_check.views import HealthCheckView

    checks = ["health_check.checks.Database", "health_check.checks.Cache", "health_check.checks.Storage"]
    urlpatterns = [path("health/", HealthCheckView.as_view(checks=checks))]
else:
    urlpatterns = [path("health/", include("watchman.urls"))]
"""

WSGI = """\
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peersite.settings")
application = get_wsgi_application()
"""

SMOKE = """\
from smoketest.checks import CacheSmoke, DatabaseSmoke, StorageSmoke

__all__ = ["CacheSmoke", "DatabaseSmoke", "StorageSmoke"]
"""

WRITE = """\
import uuid

from django.db import connection, transaction

INSERT = "INSERT INTO django_migrations (app, name, applied) VALUES (%s, %s, CURRENT_TIMESTAMP) RETURNING id"


def rolled_back_write():
    \"\"\"DatabaseSmoke's write, as a watchman check: insert a row, read it back, roll back.\"\"\"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(INSERT, ("peer", uuid.uuid4().hex))
        cursor.execute("SELECT COUNT(*) FROM django_migrations WHERE id = %s", (cursor.fetchone()[0],))
        assert cursor.fetchone()[0] == 1
        transaction.set_rollback(True)
    return {"write": {"ok": True}}
"""


def generate_peer_site(root: Path) -> None:
    """Write ``peersite`` and the ``peerchecks`` app (django-smoketest's checks) under ``root``."""
    for package, files in (
        ("peersite", {"settings.py": SETTINGS, "urls.py": URLS, "wsgi.py": WSGI}),
        ("peerchecks", {"smoke.py": SMOKE, "write.py": WRITE}),
    ):
        folder = root / package
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "__init__.py").write_text("")
        for name, text in files.items():
            (folder / name).write_text(text)


# --- virtualenvs ---------------------------------------------------------------


def stack_pins() -> list[str]:
    """This environment's release of each library of ``STACK`` it has."""
    pins = []
    for name in STACK:
        try:
            pins.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            pins.append(name)
    return pins


def peer_venv(cache_dir: Path, package: str) -> str:
    """A virtualenv under ``cache_dir`` with the latest release of ``package``
    (looked for again after ``REFRESH_SECONDS``) on this environment's stack;
    its Python."""
    venv = cache_dir / f"peer-{package}"
    python = venv / "bin" / "python"
    marker, pins = venv / "ready", " ".join(stack_pins())
    fresh = marker.exists() and marker.read_text() == pins and time.time() - marker.stat().st_mtime < REFRESH_SECONDS
    if not fresh:
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        done = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--upgrade", package, *pins.split()],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"installing {package} failed:\n{done.stdout}{done.stderr}")
        marker.write_text(pins)
    return str(python)


def installed(python: str, packages: list[str]) -> str:
    """``name version`` of each of ``packages`` in the environment of ``python``."""
    code = "import importlib.metadata as m, sys; print(', '.join(f'{n} {m.version(n)}' for n in sys.argv[1:]))"
    return subprocess.run([python, "-c", code, *packages], capture_output=True, text=True, check=True).stdout.strip()


# --- servers ---------------------------------------------------------------------


@dataclass
class Server:
    """A running gunicorn: its base URL and its workers' process ids."""

    base: str
    workers: list[int]


@contextmanager
def serve(
    apps: dict[str, tuple[str, dict[str, str]]], root: Path, workers: int, threads: int
) -> Iterator[dict[str, Server]]:
    """gunicorn serving ``peersite`` for each app (with its Python and
    environment), all started at once, each on a free loopback port; once
    each has answered its path (whatever the status)."""
    started: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
    try:
        for app, (python, env) in apps.items():
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            command = [python, "-m", "gunicorn", "peersite.wsgi", "--bind", f"127.0.0.1:{port}"]
            command += ["--workers", str(workers), "--threads", str(threads), "--log-level", "warning"]
            started[app] = subprocess.Popen(command, cwd=root, env=env), f"http://127.0.0.1:{port}"
        yield {app: ready(app, server, base, workers) for app, (server, base) in started.items()}
    finally:
        for server, _ in started.values():
            server.terminate()
        for server, _ in started.values():
            server.wait(10)


def ready(app: str, server: subprocess.Popen[bytes], base: str, workers: int) -> Server:
    """``server`` once it answers ``app``'s path and all its workers are up."""
    for _ in range(600):
        if isinstance(fetch(f"{base}{PATHS[app]}")[0], int):
            break
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn for {app} exited with {server.returncode}")
        time.sleep(0.05)
    else:
        raise RuntimeError(f"gunicorn for {app} did not answer")
    pids = children(server.pid)
    while len(pids) < workers:  # a worker may still be booting
        time.sleep(0.05)
        pids = children(server.pid)
    return Server(base, pids)


def children(pid: int) -> list[int]:
    """The process ids whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of ``pids`` (all their threads), in seconds."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat(5)
    return ticks / os.sysconf("SC_CLK_TCK")


def fetch(url: str) -> tuple[int | str, str]:
    """The status and body of a GET (an error's name for the status when none came)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
    except OSError as error:
        return type(error).__name__, ""


# --- load ------------------------------------------------------------------------


@dataclass
class Load:
    """One load run: requests, their rate, median and 99th percentile latency (seconds), errors."""

    requests: int
    rate: float
    p50: float
    p99: float
    errors: int


UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def load(url: str, seconds: int, connections: int) -> Load:
    """``connections`` clients polling ``url`` for ``seconds``: by ``wrk`` (1
    thread for 1 connection, else 2), or a Python loop without it."""
    if not shutil.which("wrk"):
        return python_load(url, seconds, connections)
    threads = "1" if connections == 1 else "2"
    command = ["wrk", "--latency", "--threads", threads, "--connections", str(connections)]
    done = subprocess.run([*command, "--duration", f"{seconds}s", url], capture_output=True, text=True, check=True)
    out = done.stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50, p99 = (wrk_duration(re.search(rf"^\s+{percent}%\s+(\S+)", out, re.M)) for percent in (50, 99))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(bad.group(1)) if bad else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    return Load(requests, rate, p50, p99, errors)


def wrk_duration(match: re.Match[str] | None) -> float:
    """A duration wrk printed (``635.00us``, ``1.02ms``, ``1.10s``), in seconds."""
    if match is None:
        return float("nan")
    number, unit = re.fullmatch(r"([\d.]+)([a-z]+)", match.group(1)).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def python_load(url: str, seconds: int, connections: int) -> Load:
    """``connections`` threads each looping requests to ``url`` for ``seconds``."""
    latencies: list[float] = []
    errors = [0]
    end = time.monotonic() + seconds

    def loop() -> None:
        while time.monotonic() < end:
            started = time.monotonic()
            status, _ = fetch(url)
            latencies.append(time.monotonic() - started)
            errors[0] += status != 200

    threads = [threading.Thread(target=loop) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(latencies) or [float("nan")]
    p50, p99 = (ordered[min(len(ordered) - 1, int(len(ordered) * percent / 100))] for percent in (50, 99))
    return Load(len(latencies), len(latencies) / seconds, p50, p99, errors[0])


def redis_reachable(url: str) -> bool:
    """Whether something listens at the host and port of a ``redis://`` URL."""
    match = re.match(r"redis://(?:[^@/]*@)?([^:/]+)(?::(\d+))?", url)
    if not match:
        return False
    try:
        socket.create_connection((match.group(1), int(match.group(2) or 6379)), timeout=3).close()
    except OSError:
        return False
    return True
