"""Generate the benchmark's Django project in a directory.

The project is the same for this package and for django-smoketest 1.2.2: the
smoke modules use only ``from smoketest import SmokeTest``, ``test_*``
methods and ``assertTrue``, which both versions understand. Environment
variables choose what a process of it runs (see ``SETTINGS``).
"""

from pathlib import Path

FLOOR_APPS = 10

SETTINGS = '''\
"""Benchmark settings; every knob is an environment variable."""

import os

BACKEND = os.environ.get("BENCH_DB", "sqlite")
if BACKEND == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ["BENCH_PG_NAME"],
            "USER": os.environ.get("PGUSER", "postgres"),
            "HOST": os.environ.get("PGHOST", "127.0.0.1"),
            "PORT": os.environ.get("PGPORT", "5432"),
        }
    }
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["BENCH_SQLITE_PATH"]}}

ORIGINAL = os.environ.get("BENCH_ORIGINAL") == "1"
SECRET_KEY = "smoketest-bench-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
ROOT_URLCONF = "benchsite.urls"
WSGI_APPLICATION = "benchsite.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
BENCH_APPS = os.environ.get("BENCH_APPS", "{floor_apps}").split(",")
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    *([] if ORIGINAL else ["rest_framework"]),
    "smoketest",
    *BENCH_APPS,
]
MIDDLEWARE = []
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("BENCH_REDIS_URL"):  # the fleet: one cache shared by every process
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["BENCH_REDIS_URL"],
            "KEY_PREFIX": os.environ["BENCH_CACHE_PREFIX"],
        }
    }
SMOKETEST_CACHE_SECONDS = float(os.environ.get("BENCH_CACHE_SECONDS", "0"))
if os.environ.get("BENCH_WORKERS"):  # else the default, as users run it
    SMOKETEST_WORKERS = int(os.environ["BENCH_WORKERS"])
SMOKETEST_THROTTLE_CLASSES = ()
'''

URLS = """\
from django.conf import settings
from django.http import HttpResponse
from django.urls import include, path


def trivial(request):
    return HttpResponse("PASS", content_type="text/plain")


urlpatterns = [path("smoketest/", include("smoketest.urls")), path("trivial/", trivial)]

if not settings.ORIGINAL:  # a trivial DRF view: what the framework alone costs per request
    from rest_framework.renderers import StaticHTMLRenderer
    from rest_framework.response import Response
    from rest_framework.views import APIView

    class TrivialAPIView(APIView):
        renderer_classes = [StaticHTMLRenderer]

        def get(self, request):
            return Response("PASS")

    urlpatterns.append(path("trivial-drf/", TrivialAPIView.as_view()))
"""

WSGI = """\
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")
application = get_wsgi_application()
"""

# A test reading a reply the slow server sends after its delay.
SLOW_IO_CLASS = """

class SlowIO{index:02d}(SmokeTest):
    def test_reply(self):
        with socket.create_connection(("127.0.0.1", PORT), timeout=30) as connection:
            self.assertTrue(connection.recv(16))
"""

# The same 20 tests as methods of one class (it has no fixtures).
SLOW_IO_ONE_CLASS = """

class SlowIOOneClass(SmokeTest):
"""

SLOW_IO_METHOD = """
    def test_reply_{index:02d}(self):
        with socket.create_connection(("127.0.0.1", PORT), timeout=30) as connection:
            self.assertTrue(connection.recv(16))
"""

# A 0.5 s suite that logs each run ("start end pid"); while the hang file
# exists, a run writes its process id beside it and waits to be killed.
FLEET_SMOKE = """\
import os
import time

from smoketest import SmokeTest


class Fleet(SmokeTest):
    timeout = 60

    def test_service(self):
        started, hang = time.time(), os.environ["BENCH_FLEET_HANG"]
        if os.path.exists(hang):
            with open(hang + ".pid", "w") as pid:
                pid.write(str(os.getpid()))
            while os.path.exists(hang):
                time.sleep(0.02)
        time.sleep(float(os.environ["BENCH_FLEET_SECONDS"]))
        with open(os.environ["BENCH_FLEET_LOG"], "a") as log:
            log.write(f"{started} {time.time()} {os.getpid()}\\n")
"""

# Writes "start"/"end" lines with the process id, to prove runs never overlap.
COUNTER_SMOKE = """\
import os
import threading
import time

from smoketest import SmokeTest


class Counter(SmokeTest):
    def test_count(self):
        path = os.environ["BENCH_COUNTER_FILE"]
        with open(path, "a") as log:
            log.write(f"start {os.getpid()} {threading.get_ident()}\\n")
        time.sleep(0.02)
        with open(path, "a") as log:
            log.write(f"end {os.getpid()} {threading.get_ident()}\\n")
"""


def floor_apps() -> list[str]:
    return [f"app{index:02d}" for index in range(FLOOR_APPS)]


def select_apps() -> list[str]:
    """The second suite: the same shape, each test running one ``SELECT``."""
    return [f"select{index:02d}" for index in range(FLOOR_APPS)]


def generate(root: Path, tests_per_app: int, slow_io_tests: int) -> None:
    """Write the project: ``benchsite``, the floor apps (``tests_per_app``
    trivial tests each, in classes of ten), the select apps (as many tests,
    each running ``SELECT 1``), ``slowio`` (``slow_io_tests`` classes),
    ``slowio1`` (as many tests in one class), ``fleet`` and ``counter``."""
    site = root / "benchsite"
    site.mkdir(parents=True, exist_ok=True)
    (site / "__init__.py").write_text("")
    (site / "settings.py").write_text(SETTINGS.replace("{floor_apps}", ",".join(floor_apps())))
    (site / "urls.py").write_text(URLS)
    (site / "wsgi.py").write_text(WSGI)
    trivial = "        self.assertTrue(True)\n"
    select = "        with connection.cursor() as cursor:\n            cursor.execute('SELECT 1')\n"
    for apps, body, header in (
        (floor_apps(), trivial, ""),
        (select_apps(), select, "from django.db import connection\n"),
    ):
        for app in apps:
            lines = [f"{header}from smoketest import SmokeTest\n"]
            for start in range(0, tests_per_app, 10):
                lines.append(f"\n\nclass Trivial{start // 10:03d}(SmokeTest):\n")
                lines.extend(
                    f"    def test_{number:04d}(self):\n{body}\n"
                    for number in range(start, min(start + 10, tests_per_app))
                )
            _app(root, app, "".join(lines).rstrip() + "\n")
    slow = "import os\nimport socket\n\nfrom smoketest import SmokeTest\n\nPORT = int(os.environ['BENCH_SLOW_PORT'])\n"
    _app(root, "slowio", slow + "".join(SLOW_IO_CLASS.format(index=index) for index in range(slow_io_tests)))
    methods = "".join(SLOW_IO_METHOD.format(index=index) for index in range(slow_io_tests))
    _app(root, "slowio1", slow + SLOW_IO_ONE_CLASS + methods)
    _app(root, "fleet", FLEET_SMOKE)
    _app(root, "counter", COUNTER_SMOKE)


def _app(root: Path, name: str, smoke: str) -> None:
    app = root / name
    app.mkdir(exist_ok=True)
    (app / "__init__.py").write_text("")
    (app / "smoke.py").write_text(smoke)
