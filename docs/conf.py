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

extensions: list[str] = []
if (Path(__file__).parent / "_ext" / "settings_reference.py").exists():
    extensions.append("settings_reference")

root_doc = "index"
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_theme_options = {
    "description": "Smoke tests for a running Django site",
    "fixed_sidebar": True,
}
html_static_path: list[str] = []


def setup(app):
    """Until the ``settings_reference`` extension is there, ``.. smoketest-settings::``
    lists the settings and their defaults straight from the code's table."""
    if "settings_reference" in extensions:
        return
    from docutils import nodes
    from docutils.parsers.rst import Directive

    from smoketest.core.settings import DEFAULTS

    class SettingsFallback(Directive):
        def run(self):
            items = nodes.bullet_list()
            for name, default in DEFAULTS.items():
                paragraph = nodes.paragraph()
                paragraph += nodes.literal(text=f"SMOKETEST_{name}")
                paragraph += nodes.Text(", default ")
                paragraph += nodes.literal(text=repr(default))
                items += nodes.list_item("", paragraph)
            return [items]

    app.add_directive("smoketest-settings", SettingsFallback)
