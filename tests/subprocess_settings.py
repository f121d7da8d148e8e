"""Settings of a ``manage.py`` subprocess that a test starts: the test
settings, plus the overrides the test process passes as JSON in
``SMOKETEST_SETTINGS_JSON`` (its test databases, its installed apps, its
``SMOKETEST_*`` settings)."""

import json
import os

from tests.settings import *  # noqa: F403

globals().update(json.loads(os.environ.get("SMOKETEST_SETTINGS_JSON", "{}")))
