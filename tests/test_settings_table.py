"""The table of settings (``smoketest.core.settings.SETTINGS``) and what is
made from it agree: the settings object, the ``smoketest.E0xx`` system checks,
the docs' settings reference, and the settings the package reads."""

import io
import re
from pathlib import Path

import pytest
from django.core import checks
from django.utils.module_loading import import_string

from smoketest.core.settings import (
    DEFAULTS,
    IMPORT_STRINGS,
    SETTINGS,
    TABLE,
    checks_rst,
    reference_rst,
    smoketest_settings,
)

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "smoketest"
VALIDATED = [setting for setting in SETTINGS if setting.check is not None]

#: A realistic mistake per validated setting (a new validated row needs one here).
MISTAKES = {
    "SKIP_APPS": "shop",
    "DATABASES": ["default", "nope"],
    "FAIL_STATUS": 200,
    "TIMEOUT": 0,
    "RUN_TIMEOUT": "60",
    "WORKERS": 0,
    "CACHE_SECONDS": -1,
    "CACHE_FAIL_SECONDS": "5",
    "CACHE": "nowhere",
    "CACHE_MEMORY": "4MB",
    "TOKEN": ["ok", ""],
    "AUTHENTICATION_CLASSES": ["no.such.Authentication"],
    "PERMISSION_CLASSES": ["no.such.Permission"],
    "THROTTLE_CLASSES": "rest_framework.throttling.AnonRateThrottle",  # a string, not a list of them
    "THROTTLE_RATES": "60/min",
    "PUBLIC_DETAIL": "names",
    "PUBLIC_URL": "www.example.com",
    "RELEASE": "",
}


@pytest.fixture
def unset(settings):
    """No ``SMOKETEST_*`` setting configured: every value is the table's default."""
    for setting in SETTINGS:
        if hasattr(settings, setting.setting_name):
            delattr(settings, setting.setting_name)
    return settings


def smoketest_errors(messages):
    return [message for message in messages if message.id and message.id.startswith("smoketest.E")]


# The settings object ------------------------------------------------------------------------------


def test_names_are_unique_and_the_derived_views_match():
    assert len(TABLE) == len(SETTINGS)
    assert {setting.name: setting.default for setting in SETTINGS} == DEFAULTS
    assert {setting.name for setting in SETTINGS if setting.import_strings} == IMPORT_STRINGS
    assert all(re.fullmatch(r"[A-Z][A-Z0-9_]*", name) for name in TABLE)


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda setting: setting.name)
def test_every_row_is_an_attribute_of_the_settings_object_with_its_default(unset, setting):
    expected = setting.default
    if setting.import_strings:
        expected = [import_string(item) for item in setting.default]
    assert getattr(smoketest_settings, setting.name) == expected


def test_a_configured_value_wins_and_a_change_is_seen(settings):
    settings.SMOKETEST_TIMEOUT = 3
    assert smoketest_settings.TIMEOUT == 3
    settings.SMOKETEST_TIMEOUT = 4
    assert smoketest_settings.TIMEOUT == 4


def test_a_name_not_in_the_table_is_no_setting():
    with pytest.raises(AttributeError, match="Unknown smoketest setting"):
        smoketest_settings.NO_SUCH_SETTING  # noqa: B018


# The system checks --------------------------------------------------------------------------------


def test_a_validator_and_an_error_id_go_together():
    for setting in SETTINGS:
        assert (setting.check is None) == (setting.error_id is None), setting.name
    shared = {}
    for setting in VALIDATED:
        shared.setdefault(setting.error_id, set()).add(type(setting.check))
    # One ID, one meaning: rows share an ID only with the same kind of validator (E012: import paths).
    assert all(len(kinds) == 1 for kinds in shared.values()), shared


def test_error_ids_of_the_table_and_of_the_cross_cutting_checks_are_one_sequence():
    """The per-setting IDs are the table's; system_checks.py writes out only
    the IDs of checks that are not about one setting's value, and together
    they number E001, E002, ... without a gap."""
    table_ids = {setting.error_id for setting in VALIDATED}
    written = set(re.findall(r"smoketest\.E\d{3}", (PACKAGE / "system_checks.py").read_text()))
    assert not table_ids & written, "a per-setting check is written out in system_checks.py"
    numbers = sorted(int(check_id.rpartition("E")[2]) for check_id in table_ids | written)
    assert numbers == list(range(1, len(numbers) + 1))


def test_valid_defaults_raise_no_error(unset):
    assert smoketest_errors(checks.run_checks()) == []


@pytest.mark.parametrize("setting", VALIDATED, ids=lambda setting: setting.name)
@pytest.mark.parametrize("kind", ["mistake", "nonsense"])
def test_an_invalid_value_is_reported_with_its_rows_id(settings, setting, kind):
    value = MISTAKES[setting.name] if kind == "mistake" else object()
    setattr(settings, setting.setting_name, value)
    errors = smoketest_errors(checks.run_checks())
    assert [error.id for error in errors] == [setting.error_id]
    assert errors[0].msg.startswith(f"{setting.setting_name} ")
    assert errors[0].level == checks.ERROR


def test_every_validated_setting_has_a_realistic_mistake():
    assert set(MISTAKES) == {setting.name for setting in VALIDATED}


# The docs' reference ------------------------------------------------------------------------------


def test_the_reference_names_every_setting_its_default_and_its_check():
    text = reference_rst()
    for setting in SETTINGS:
        section = text.split(f"``{setting.setting_name}``\n", 1)[1].split("\n.. _", 1)[0]
        assert f"Default: ``{setting.default!r}``" in section
        assert setting.doc in section
        if setting.error_id:
            assert f"``{setting.error_id}``" in section


def test_the_system_checks_reference_gives_each_id_its_settings():
    entries = dict(entry.split("\n", 1) for entry in checks_rst().strip().split("\n\n"))
    assert set(entries) == {f"``{setting.error_id}``" for setting in VALIDATED}
    for setting in VALIDATED:
        link = f"SMOKETEST_{setting.name} <smoketest-setting-{setting.name.lower()}>"
        assert link in entries[f"``{setting.error_id}``"]


def test_the_reference_is_valid_restructuredtext():
    core = pytest.importorskip("docutils.core")
    warnings = io.StringIO()
    # Sphinx's ``.. _label:`` targets and sections are plain docutils too.
    core.publish_doctree(reference_rst(), settings_overrides={"warning_stream": warnings, "report_level": 2})
    assert warnings.getvalue() == ""


def test_the_directive_renders_without_warnings(tmp_path, monkeypatch):
    application = pytest.importorskip("sphinx.application")
    monkeypatch.syspath_prepend(str(ROOT / "docs" / "_ext"))
    (tmp_path / "index.rst").write_text(
        "Settings\n========\n\nSee :ref:`smoketest-setting-timeout`.\n\n.. smoketest-settings::\n\n"
        "Checks\n======\n\n.. smoketest-setting-checks::\n"
    )
    warnings = io.StringIO()
    app = application.Sphinx(
        srcdir=tmp_path,
        confdir=None,
        outdir=tmp_path / "_build",
        doctreedir=tmp_path / "_doctrees",
        buildername="text",
        confoverrides={"extensions": ["settings_reference"], "project": "smoketest"},
        status=None,
        warning=warnings,
    )
    app.build()
    assert warnings.getvalue() == ""
    rendered = (tmp_path / "_build" / "index.txt").read_text()
    for setting in SETTINGS:
        assert setting.setting_name in rendered
    for setting in VALIDATED:
        assert setting.error_id in rendered


# The settings the package reads -------------------------------------------------------------------

READS = [
    re.compile(r"smoketest_settings\.([A-Z][A-Z0-9_]*)\b"),
    re.compile(r"\bSMOKETEST_([A-Z][A-Z0-9_]*)\b"),
    re.compile(r"SettingDefault\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']"),
]


def test_every_setting_the_package_reads_is_in_the_table():
    missing = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in PACKAGE.rglob("*.py")
        for pattern in READS
        for name in pattern.findall(path.read_text())
        if name not in TABLE
    }
    assert missing == set()
