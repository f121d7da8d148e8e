from django.core import checks

from smoketest.system_checks import check_discovery, check_settings


def ids(messages):
    return [message.id for message in messages]


def test_no_smoke_tests_at_all_warns(smoke_apps):
    smoke_apps("nosmoke")
    messages = check_discovery()
    assert ids(messages) == ["smoketest.W001"]
    assert messages[0].level == checks.WARNING


def test_broken_smoke_module_warns_with_its_name(smoke_apps):
    smoke_apps("passing", "broken")
    messages = check_discovery()
    assert ids(messages) == ["smoketest.W002"]
    assert "tests.smokeapps.broken.smoke" in messages[0].msg


def test_discovered_tests_are_quiet(smoke_apps):
    smoke_apps("passing")
    assert check_discovery() == []


def test_valid_defaults_are_quiet():
    assert check_settings() == []


def test_invalid_settings_are_errors(settings):
    settings.SMOKETEST_SKIP_APPS = "broken"
    settings.SMOKETEST_DATABASES = ["default", "nope"]
    settings.SMOKETEST_FAIL_STATUS = 200
    messages = check_settings()
    assert ids(messages) == ["smoketest.E001", "smoketest.E002", "smoketest.E003"]
    assert all(message.level == checks.ERROR for message in messages)
    assert "nope" in messages[1].msg
