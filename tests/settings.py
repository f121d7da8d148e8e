"""Settings for the test suite. ``SMOKETEST_TEST_DB`` picks the backend:
``sqlite`` (default, no server), ``postgres`` or ``mariadb``."""

import importlib.util
import os
import tempfile

BACKEND = os.environ.get("SMOKETEST_TEST_DB", "sqlite")
SQLITE_DIR = os.environ.get("SMOKETEST_SQLITE_DIR") or tempfile.mkdtemp(prefix="smoketest-")


def database(name: str) -> dict:
    if BACKEND == "postgres":
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": os.environ.get("PGUSER", "postgres"),
            "HOST": os.environ.get("PGHOST", "127.0.0.1"),
            "PORT": os.environ.get("PGPORT", "5432"),
        }
    if BACKEND == "mariadb":
        return {
            "ENGINE": "django.db.backends.mysql",
            "NAME": name,
            "USER": os.environ.get("MYSQL_USER", "root"),
            "PASSWORD": os.environ.get("MYSQL_PASSWORD", ""),
            "HOST": os.environ.get("MYSQL_HOST", "127.0.0.1"),
            "PORT": os.environ.get("MYSQL_PORT", "3306"),
            "OPTIONS": {"charset": "utf8mb4"},
        }
    if BACKEND == "sqlite":
        # Files, not memory: the live-server and thread tests need a database
        # every connection sees.
        path = os.path.join(SQLITE_DIR, f"{name}.sqlite3")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path, "TEST": {"NAME": path}}
    raise ValueError(f"SMOKETEST_TEST_DB must be sqlite, postgres or mariadb, not {BACKEND!r}")


# A distinct prefix lets several checkouts run the suite against one server at once.
DB_PREFIX = os.environ.get("SMOKETEST_DB_PREFIX", "smoketest")
DATABASES = {"default": database(DB_PREFIX), "other": database(f"{DB_PREFIX}_other")}

SECRET_KEY = "smoketest-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
ROOT_URLCONF = "tests.urls"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

BASE_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.sites",
    "rest_framework",
    "smoketest",
    "tests.testapp",
    # CeleryBeatSmoke's tests need its tables; without the package they are skipped.
    *(["django_celery_beat"] if importlib.util.find_spec("django_celery_beat") else []),
]
INSTALLED_APPS = BASE_APPS

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
SILENCED_SYSTEM_CHECKS = ["smoketest.W001", "smoketest.W003"]

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "unreachable": {"BACKEND": "tests.testapp.caches.UnreachableCache"},
}
STATIC_URL = "/static/"
SITE_ID = 1

# The cache, fleet and Celery tests use a real Redis: one database of the
# suite's own (SMOKETEST_REDIS_URL), from which it removes every key it adds.
REDIS_URL = os.environ.get("SMOKETEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# The broker of the Celery workers the tests start: the same database unless set.
CELERY_BROKER_URL = os.environ.get("SMOKETEST_CELERY_BROKER_URL", REDIS_URL)
