import pytest

from smoketest.engine import loader
from smoketest.engine.loader import load_suite


def names(suite):
    return [(app.label, [case.name for case in app.classes]) for app in suite if app.classes or app.errors]


def test_discovers_module_and_package_with_submodules_in_order(smoke_apps):
    smoke_apps("package", "passing")
    assert names(load_suite()) == [
        (
            "package",
            [
                "tests.smokeapps.package.smoke.TopLevel",
                "tests.smokeapps.package.smoke.db.DatabaseSmoke",
                "tests.smokeapps.package.smoke.deep.nested.Nested",
            ],
        ),
        ("passing", ["tests.smokeapps.passing.smoke.WidgetSmoke"]),
    ]


def test_installed_apps_order_decides_app_order(smoke_apps):
    smoke_apps("passing", "package")
    assert [label for label, _ in names(load_suite())] == ["passing", "package"]


def test_classes_without_test_methods_are_not_collected(smoke_apps):
    smoke_apps("passing")
    collected = [case.cls.__name__ for app in load_suite() for case in app.classes]
    assert "SharedHelpers" not in collected


def test_import_errors_are_reported_not_skipped(smoke_apps):
    smoke_apps("broken", "missingdep", "nosmoke")
    suite = {app.label: app for app in load_suite()}
    assert suite["broken"].errors[0].module == "tests.smokeapps.broken.smoke"
    assert suite["broken"].errors[0].error == "RuntimeError: broken at import"
    assert "ModuleNotFoundError" in suite["missingdep"].errors[0].error
    assert "a_module_that_is_not_installed" in suite["missingdep"].errors[0].error
    assert suite["nosmoke"].errors == () and suite["nosmoke"].classes == ()


def test_skip_apps_matches_label_name_and_app_config_path(smoke_apps):
    smoke_apps("tests.smokeapps.configured.apps.ConfiguredConfig", "passing", "package")
    labels = lambda skip: [label for label, _ in names(load_suite(skip))]  # noqa: E731
    assert labels([]) == ["configured_label", "passing", "package"]
    assert labels(["configured_label"]) == ["passing", "package"]
    assert labels(["tests.smokeapps.configured"]) == ["passing", "package"]
    assert labels(["tests.smokeapps.configured.apps.ConfiguredConfig", "passing"]) == ["package"]


@pytest.mark.django_db(databases="__all__")
def test_discovery_runs_once_per_process(smoke_apps, client):
    smoke_apps("passing")
    first = loader.discover()
    client.get("/smoketest/")
    client.get("/smoketest/")
    assert loader.discover() is first


def test_an_imported_class_subclassed_in_the_module_runs_only_where_it_is_defined(smoke_apps):
    smoke_apps("subclassing")
    assert names(load_suite()) == [("subclassing", ["tests.smokeapps.subclassing.smoke.MoreWidgets"])]
    smoke_apps("passing", "subclassing")
    assert names(load_suite()) == [
        ("passing", ["tests.smokeapps.passing.smoke.WidgetSmoke"]),
        ("subclassing", ["tests.smokeapps.subclassing.smoke.MoreWidgets"]),
    ]
