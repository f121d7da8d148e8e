"""Sphinx configuration of django-smoketest's documentation."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the package, for a build from a checkout
sys.path.insert(0, str(HERE / "_ext"))

# Configure Django before anything imports the app (the settings reference
# reads the settings table in smoketest.core.settings).
import django  # noqa: E402
from django.conf import settings  # noqa: E402

if not settings.configured:
    settings.configure(
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework", "smoketest"],
        DATABASES={},
    )
    django.setup()

import smoketest  # noqa: E402

project = "django-smoketest"
author = "django-smoketest contributors"
copyright = "django-smoketest contributors"
release = smoketest.__version__
version = ".".join(release.split(".")[:2])

extensions = ["settings_reference"]  # docs/_ext: the settings reference from the code's table

root_doc = "index"
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_theme_options = {
    "description": "Smoke tests for a running Django site",
    "fixed_sidebar": True,
}
html_static_path: list[str] = []
