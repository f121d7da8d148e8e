"""The checks of services outside Django, against real parts: a Celery worker
started here with the local Redis as broker, Redis up and at a dead port,
HTTP services on loopback servers, and this machine's disks."""

import base64
import http.server
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest

from smoketest.engine.supervisor import retire_idle_workers
from tests.conftest import closed_port, redis_or_skip
from tests.settings import CELERY_BROKER_URL, REDIS_URL
from tests.smokeapps.dependencies import smoke

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)

ROOT = Path(__file__).resolve().parent.parent
# Every check class of the smoke app has timeout = 5: a failure must arrive within it, plus a second.
FAILS_WITHIN = 5 + 1


@pytest.fixture
def run_check(get_json, smoke_apps):
    """Run one class of the ``dependencies`` smoke app through the endpoint;
    return its JSON entry and the seconds the answer took."""
    smoke_apps("dependencies")

    def run(name: str) -> tuple[dict, float]:
        started = time.monotonic()
        _, document = get_json(test=f"dependencies.{name}")
        (test,) = document["tests"]
        return test, time.monotonic() - started

    return run


@pytest.fixture
def silent_server():
    """A loopback port that accepts connections and never answers: a server that hangs."""
    listener = socket.create_server(("127.0.0.1", 0))
    yield listener.getsockname()[1]
    listener.close()


# CelerySmoke


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    """A real Celery worker (solo pool) on the tests' app and queue; stopped after the module."""
    pytest.importorskip("celery")
    redis_or_skip(CELERY_BROKER_URL)
    from tests.celery_app import QUEUE, app

    name = f"smoketest-{uuid.uuid4().hex[:8]}@%h"
    log = tmp_path_factory.mktemp("celery") / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", "tests.celery_app", "worker", "--pool=solo", "-c", "1"]
    command += ["-Q", QUEUE, "-n", name, "--without-gossip", "--without-mingle", "--without-heartbeat"]
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    try:
        end = time.monotonic() + 60
        while not app.control.ping(timeout=0.5):
            if process.poll() is not None or time.monotonic() > end:
                pytest.fail(f"the Celery worker did not start:\n{log.read_text()}")
        yield process
    finally:
        process.send_signal(signal.SIGTERM)  # warm shutdown
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_celery_passes_when_a_worker_answers(run_check, worker):
    test, _ = run_check("Workers")
    assert (test["status"], test["message"]) == ("pass", "")
    assert sorted(test["tags"]) == ["builtin", "celery"]


def test_celery_without_an_app_checks_the_current_app(run_check, worker, monkeypatch):
    import celery._state

    from tests.celery_app import app

    # As a project's celery.py does once imported: its app, the first created
    # with DJANGO_SETTINGS_MODULE set, is the default every thread sees.
    monkeypatch.setattr(celery._state, "default_app", app)
    monkeypatch.setattr(smoke.Workers, "app", None)
    retire_idle_workers()  # a worker thread kept from earlier runs has its own current app
    test, _ = run_check("Workers")
    assert (test["status"], test["message"]) == ("pass", "")


def test_celery_passes_when_a_worker_consumes_the_queue(run_check, worker, monkeypatch):
    from tests.celery_app import QUEUE

    monkeypatch.setattr(smoke.Workers, "queue", QUEUE)
    test, _ = run_check("Workers")
    assert (test["status"], test["message"]) == ("pass", "")


def test_celery_fails_when_no_worker_consumes_the_queue(run_check, worker, monkeypatch):
    from tests.celery_app import QUEUE

    monkeypatch.setattr(smoke.Workers, "queue", "reports")
    test, _ = run_check("Workers")
    assert test["status"] == "fail"
    assert test["message"].startswith(
        f"broker {CELERY_BROKER_URL}: no worker consumes queue 'reports'; the 1 workers that answered consume '{QUEUE}'"
    )


def test_celery_fails_naming_how_many_workers_answered(run_check, worker, monkeypatch):
    monkeypatch.setattr(smoke.Workers, "min_workers", 2)
    test, _ = run_check("Workers")
    assert test["status"] == "fail"
    assert test["message"].startswith(f"broker {CELERY_BROKER_URL}: 1 of 2 workers answered ping within 2 s")


def test_celery_without_workers_fails_within_its_timeout(run_check, monkeypatch):
    pytest.importorskip("celery")
    redis_or_skip(CELERY_BROKER_URL)
    monkeypatch.setattr(smoke.Workers, "app", "tests.celery_app.idle_app")  # its workers are all down
    test, seconds = run_check("Workers")
    assert test["status"] == "fail"
    assert test["message"].startswith(f"broker {CELERY_BROKER_URL}: 0 of 1 workers answered ping within 2 s")
    assert seconds < FAILS_WITHIN


def celery_app(broker: str):
    celery = pytest.importorskip("celery")
    pytest.importorskip("redis")
    return celery.Celery("smoketest_tests_elsewhere", broker=broker)


def test_celery_with_its_broker_down_fails_fast_with_the_password_masked(run_check, monkeypatch):
    port = closed_port()
    monkeypatch.setattr(smoke.Workers, "app", celery_app(f"redis://:s3cret@127.0.0.1:{port}/11"))
    test, seconds = run_check("Workers")
    assert test["status"] == "fail"
    assert test["message"].startswith(
        f"broker redis://:***@127.0.0.1:{port}/11 did not accept a connection: OperationalError: "
    )
    assert "s3cret" not in test["message"]
    assert seconds < FAILS_WITHIN


def test_celery_with_a_broker_that_never_answers_fails_within_its_timeout(run_check, monkeypatch, silent_server):
    monkeypatch.setattr(smoke.Workers, "app", celery_app(f"redis://127.0.0.1:{silent_server}/0"))
    test, seconds = run_check("Workers")
    assert test["status"] == "fail"
    assert test["message"].startswith(f"broker redis://127.0.0.1:{silent_server}/0 did not accept a connection: ")
    assert seconds < FAILS_WITHIN


# RedisSmoke


def test_redis_passes_when_every_server_answers(run_check, monkeypatch):
    redis_or_skip()
    monkeypatch.setattr(smoke.Redis, "urls", [REDIS_URL, REDIS_URL])
    test, _ = run_check("Redis")
    assert (test["status"], test["message"]) == ("pass", "")
    assert sorted(test["tags"]) == ["builtin", "redis"]


def test_redis_down_or_silent_fails_fast_naming_each_url_without_its_password(run_check, monkeypatch, silent_server):
    pytest.importorskip("redis")
    down = closed_port()
    urls = [f"redis://:s3cret@127.0.0.1:{down}/0", f"redis://user:s3cret@127.0.0.1:{silent_server}/0"]
    monkeypatch.setattr(smoke.Redis, "urls", urls)
    test, seconds = run_check("Redis")
    message = test["message"]
    assert test["status"] == "fail"
    assert (
        f"(url='redis://:***@127.0.0.1:{down}/0'): Redis redis://:***@127.0.0.1:{down}/0 did not answer PING "
        "(timeout 1 s): ConnectionError: "
    ) in message
    assert (
        f"(url='redis://user:***@127.0.0.1:{silent_server}/0'): Redis redis://user:***@127.0.0.1:{silent_server}/0 "
        "did not answer PING (timeout 1 s): TimeoutError: "
    ) in message
    assert "s3cret" not in message
    assert seconds < FAILS_WITHIN


def test_redis_without_urls_is_skipped_saying_why(run_check):
    test, _ = run_check("Redis")
    assert (test["status"], test["message"]) == ("skip", "no Redis URL to check: list them in urls")


# HTTPDependencySmoke


class Service(http.server.BaseHTTPRequestHandler):
    """A service the site depends on; ``self.server.requests`` records what it got."""

    ANSWERS = {
        "/health": (200, "status: ok"),
        "/degraded": (200, "status: degraded"),
        "/broken": (500, "Internal Server Error"),
    }

    def do_GET(self) -> None:
        self.server.requests.append((self.command, self.path, dict(self.headers)))
        if self.path == "/slow":
            time.sleep(3)
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/health")
            self.end_headers()
            return
        status, body = self.ANSWERS.get(self.path, (200, "late but fine"))
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body.encode())

    do_HEAD = do_GET

    def log_message(self, format, *args) -> None:
        pass


@pytest.fixture
def service():
    """A loopback HTTP service; yields its base URL, its server has the requests it got."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Service)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def base_url(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def test_http_dependencies_pass_when_they_answer_as_expected(run_check, monkeypatch, service):
    url = base_url(service)
    dependencies = [
        ("search", f"{url}/health"),
        {"name": "payments", "url": f"{url}/health", "contains": "ok", "headers": {"Authorization": "Bearer t"}},
        {"name": "geo", "url": f"{url}/health", "method": "HEAD"},
        {"name": "sso", "url": f"{url}/moved", "expected_status": 302},
        ("maps", url.replace("//", "//maps:s%40fe@") + "/health"),
    ]
    monkeypatch.setattr(smoke.Services, "dependencies", dependencies)
    test, _ = run_check("Services")
    assert (test["status"], test["message"]) == ("pass", "")
    assert [(method, path) for method, path, _ in service.requests] == [
        ("GET", "/health"),
        ("GET", "/health"),
        ("HEAD", "/health"),
        ("GET", "/moved"),  # the redirect is not followed
        ("GET", "/health"),
    ]
    assert service.requests[1][2]["Authorization"] == "Bearer t"
    assert service.requests[4][2]["Authorization"] == "Basic " + base64.b64encode(b"maps:s@fe").decode()
    assert service.requests[0][2]["User-Agent"].startswith("django-smoketest/")


def test_http_dependencies_that_answer_wrong_slowly_or_not_at_all_fail_naming_each(run_check, monkeypatch, service):
    url, down = base_url(service), closed_port()
    dependencies = [
        ("search", f"{url}/health"),
        ("payments", f"{url}/broken"),
        {"name": "geo", "url": f"{url}/degraded", "contains": "status: ok"},
        ("sso", f"{url}/moved"),
        {"name": "reports", "url": f"{url}/slow", "timeout": 0.5},
        ("mailer", f"http://user:s3cret@127.0.0.1:{down}/health"),
    ]
    monkeypatch.setattr(smoke.Services, "dependencies", dependencies)
    test, seconds = run_check("Services")
    message = test["message"]
    assert test["status"] == "fail"
    assert "'search'" not in message
    expected = [
        f"(dependency='payments'): dependency 'payments' (GET {url}/broken): answered 500 in ",
        ", expected 200",
        f"(dependency='geo'): dependency 'geo' (GET {url}/degraded): answered 200 in ",
        " without 'status: ok' in the body",
        f"(dependency='sso'): dependency 'sso' (GET {url}/moved): answered 302 in ",
        " (redirect to /health), expected 200",
        f"(dependency='reports'): dependency 'reports' (GET {url}/slow): no answer within 0.5 s",
        f"(dependency='mailer'): dependency 'mailer' (GET http://user:***@127.0.0.1:{down}/health): failed after ",
        "URLError: <urlopen error [Errno 111] Connection refused>",
    ]
    assert [part for part in expected if part not in message] == []
    assert "s3cret" not in message
    assert seconds < 0.5 + 2  # the slow one gave up at its own timeout


@pytest.mark.parametrize(
    "entry, problem",
    [
        (
            {"name": "api", "url": "http://127.0.0.1/", "method": "POST"},
            " ('api') is not valid: method must be one of GET, HEAD",
        ),
        (
            {"name": "api", "url": "http://127.0.0.1/", "timeout": 0},
            " ('api') is not valid: timeout must be a positive number",
        ),
        (
            {"name": "api", "url": "http://127.0.0.1/", "status": 204},
            " ('api') is not valid: unknown key 'status' (keys: ",
        ),
        ({"url": "http://127.0.0.1/"}, " is not valid: no 'name' (keys: "),
        (("api",), " is not valid: use a (name, url) pair or a dict"),
    ],
)
def test_an_invalid_dependency_entry_is_an_error_naming_it_and_what_is_wrong(run_check, monkeypatch, entry, problem):
    monkeypatch.setattr(smoke.Services, "dependencies", [("fine", "http://127.0.0.1/"), entry])
    test, _ = run_check("Services")
    assert test["status"] == "error"
    assert test["message"].startswith(f"ValueError: dependency 2{problem}")
    assert "127.0.0.1" not in test["message"] and "POST" not in test["message"]


def test_http_without_dependencies_is_skipped_saying_why(run_check):
    test, _ = run_check("Services")
    assert (test["status"], test["message"]) == ("skip", "no dependency to check: list them in dependencies")


# DiskSpaceSmoke


def test_disk_space_passes_on_a_roomy_disk(run_check, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    test, _ = run_check("Disk")
    assert (test["status"], test["message"]) == ("pass", "")
    assert sorted(test["tags"]) == ["builtin", "disk"]


def test_disk_space_below_the_threshold_fails_naming_each_path(run_check, settings, monkeypatch, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr(smoke.Disk, "min_free_percent", 100)  # no disk is that empty
    test, _ = run_check("Disk")
    message = test["message"]
    assert test["status"] == "fail"
    for path in (str(tmp_path), tempfile.gettempdir()):
        assert f"(path={path!r}): path {path!r} has " in message
    assert " MB), below min_free_percent=100" in message
    assert "min_free_mb" not in message


def test_disk_space_of_a_missing_path_fails_naming_it(run_check, monkeypatch, tmp_path):
    missing = str(tmp_path / "missing")
    monkeypatch.setattr(smoke.Disk, "paths", [missing])
    monkeypatch.setattr(smoke.Disk, "min_free_mb", 10**12)
    test, _ = run_check("Disk")
    assert test["status"] == "fail"
    assert test["message"].startswith(f"(path={missing!r}): path {missing!r} could not be measured: FileNotFoundError")


# Client libraries that are not installed


def test_checks_whose_client_library_is_missing_are_skipped_saying_so(run_check, monkeypatch):
    monkeypatch.setitem(sys.modules, "celery", None)  # as if not installed
    monkeypatch.setitem(sys.modules, "redis", None)
    monkeypatch.setattr(smoke.Redis, "urls", [REDIS_URL])
    workers, _ = run_check("Workers")
    redis, _ = run_check("Redis")
    assert (workers["status"], redis["status"]) == ("skip", "skip")
    for library, test in (("celery", workers), ("redis", redis)):
        assert test["message"] == (
            f"{library} is not installed (ModuleNotFoundError: import of {library} halted; None in sys.modules)"
        )


def test_the_checks_import_without_their_client_libraries():
    code = (
        "import sys; sys.modules.update(dict.fromkeys(['celery', 'kombu', 'redis', 'django_celery_beat']));"
        "import django; from django.conf import settings; settings.configure(); django.setup();"
        "import smoketest.checks; print(sorted(smoketest.checks.__all__))"
    )
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "'CelerySmoke'" in done.stdout and "'RedisSmoke'" in done.stdout
