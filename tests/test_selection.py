"""Selection: which tests labels and tags pick out of the discovered suite."""

import pytest

from smoketest import SmokeTest, tag
from smoketest.core.tags import tags_of
from smoketest.engine.loader import load_suite
from smoketest.engine.selection import Selection, SelectionError

PACKAGE = "tests.smokeapps.package.smoke"
TAGGED = "tests.smokeapps.tagged.smoke"


def selected(**selection):
    """The dotted names of the tests and broken modules the selection keeps."""
    suite = Selection(**selection).apply(load_suite())
    return [
        name
        for app in suite
        for name in (
            *(error.module for error in app.errors),
            *(test_class.test_name(method) for test_class in app.classes for method in test_class.methods),
        )
    ]


@pytest.mark.parametrize(
    "label, names",
    [
        (
            "package",
            ["TopLevel.test_top", "db.DatabaseSmoke.test_a", "db.DatabaseSmoke.test_b", "deep.nested.Nested.test_deep"],
        ),
        ("package.DatabaseSmoke", ["db.DatabaseSmoke.test_a", "db.DatabaseSmoke.test_b"]),
        ("package.DatabaseSmoke.test_b", ["db.DatabaseSmoke.test_b"]),
        ("package.TopLevel", ["TopLevel.test_top"]),
        (
            PACKAGE,
            ["TopLevel.test_top", "db.DatabaseSmoke.test_a", "db.DatabaseSmoke.test_b", "deep.nested.Nested.test_deep"],
        ),
        (f"{PACKAGE}.db", ["db.DatabaseSmoke.test_a", "db.DatabaseSmoke.test_b"]),
        (f"{PACKAGE}.deep", ["deep.nested.Nested.test_deep"]),
        (f"{PACKAGE}.deep.nested.Nested", ["deep.nested.Nested.test_deep"]),
        (f"{PACKAGE}.db.DatabaseSmoke.test_a", ["db.DatabaseSmoke.test_a"]),
        (
            "tests.smokeapps.package",
            ["TopLevel.test_top", "db.DatabaseSmoke.test_a", "db.DatabaseSmoke.test_b", "deep.nested.Nested.test_deep"],
        ),
    ],
)
def test_label_forms(smoke_apps, label, names):
    smoke_apps("package", "passing")
    assert selected(labels=(label,)) == [f"{PACKAGE}.{name}" for name in names]


def test_app_config_path_and_custom_label_select_the_app(smoke_apps):
    smoke_apps("tests.smokeapps.configured.apps.ConfiguredConfig", "passing")
    expected = ["tests.smokeapps.configured.smoke.ConfiguredSmoke.test_runs"]
    assert selected(labels=("configured_label",)) == expected
    assert selected(labels=("tests.smokeapps.configured.apps.ConfiguredConfig",)) == expected
    assert selected(labels=("configured_label.ConfiguredSmoke.test_runs",)) == expected


def test_several_labels_keep_discovery_order_without_duplicates(smoke_apps):
    smoke_apps("package", "passing")
    assert selected(
        labels=("passing.WidgetSmoke.test_reads", "package.DatabaseSmoke.test_b", "passing", "package.DatabaseSmoke")
    ) == [
        f"{PACKAGE}.db.DatabaseSmoke.test_a",
        f"{PACKAGE}.db.DatabaseSmoke.test_b",
        "tests.smokeapps.passing.smoke.WidgetSmoke.test_reads",
        "tests.smokeapps.passing.smoke.WidgetSmoke.test_writes_are_visible_inside_the_test",
    ]


@pytest.mark.parametrize(
    "label, message",
    [
        ("pasing", "Unknown test label 'pasing'; did you mean 'passing'?"),
        (
            "passing.WidgetSmok",
            "Unknown test label 'passing.WidgetSmok'; did you mean 'passing.WidgetSmoke', "
            "'passing.WidgetSmoke.test_reads', 'tests.smokeapps.passing.smoke.WidgetSmoke'?",
        ),
        (
            "passing.WidgetSmoke.test_read",
            "Unknown test label 'passing.WidgetSmoke.test_read'; did you mean 'passing.WidgetSmoke.test_reads', "
            "'passing.WidgetSmoke', 'tests.smokeapps.passing.smoke.WidgetSmoke.test_reads'?",
        ),
        ("zzz", "Unknown test label 'zzz'."),
        ("passing.SharedHelpers", "Unknown test label 'passing.SharedHelpers'."),
        (
            "passing.WidgetSmoke.helper",
            "Unknown test label 'passing.WidgetSmoke.helper'; did you mean 'passing.WidgetSmoke', "
            "'passing.WidgetSmoke.test_reads'?",
        ),
        ("pass", "Unknown test label 'pass'; did you mean 'passing'?"),
    ],
)
def test_unknown_label_is_an_error_naming_it_and_close_matches(smoke_apps, label, message):
    smoke_apps("passing", "nosmoke")
    with pytest.raises(SelectionError) as error:
        selected(labels=("passing", label))
    assert str(error.value) == message


@pytest.mark.parametrize(
    "label", ["", "passing.", ".passing", "passing..WidgetSmoke", "a b", "passing/x", "1app", "x\ny"]
)
def test_malformed_label_is_an_error(smoke_apps, label):
    smoke_apps("passing")
    with pytest.raises(SelectionError, match="^Malformed test label") as error:
        selected(labels=(label,))
    assert "\n" not in str(error.value)


def test_skip_apps_come_before_labels(smoke_apps):
    smoke_apps("passing", "package")
    assert selected(skip_apps=("package",)) == [
        "tests.smokeapps.passing.smoke.WidgetSmoke.test_reads",
        "tests.smokeapps.passing.smoke.WidgetSmoke.test_writes_are_visible_inside_the_test",
    ]
    with pytest.raises(SelectionError, match="^Unknown test label 'package'"):
        selected(labels=("package",), skip_apps=("tests.smokeapps.package",))


def test_no_selection_keeps_everything(smoke_apps):
    smoke_apps("passing", "broken")
    assert selected() == [
        "tests.smokeapps.passing.smoke.WidgetSmoke.test_reads",
        "tests.smokeapps.passing.smoke.WidgetSmoke.test_writes_are_visible_inside_the_test",
        "tests.smokeapps.broken.smoke",
    ]


@pytest.mark.parametrize(
    "labels, kept",
    [
        (("broken",), ["tests.smokeapps.broken.smoke"]),
        (("broken.SomethingInIt",), ["tests.smokeapps.broken.smoke"]),
        (("tests.smokeapps.broken.smoke",), ["tests.smokeapps.broken.smoke"]),
        (("tests.smokeapps.broken.smoke.SomeClass.test_x",), ["tests.smokeapps.broken.smoke"]),
        (("tests.smokeapps.broken",), ["tests.smokeapps.broken.smoke"]),
        (
            ("passing",),
            [
                "tests.smokeapps.passing.smoke.WidgetSmoke.test_reads",
                "tests.smokeapps.passing.smoke.WidgetSmoke.test_writes_are_visible_inside_the_test",
            ],
        ),
    ],
)
def test_a_broken_module_is_kept_by_any_label_that_could_be_inside_it(smoke_apps, labels, kept):
    smoke_apps("passing", "broken")
    assert selected(labels=labels) == kept


PARTLY = "tests.smokeapps.partlybroken.smoke"


@pytest.mark.parametrize(
    "label, kept",
    [
        ("partlybroken", [f"{PARTLY}.bad", f"{PARTLY}.good.Good.test_good"]),
        (PARTLY, [f"{PARTLY}.bad", f"{PARTLY}.good.Good.test_good"]),
        (f"{PARTLY}.bad", [f"{PARTLY}.bad"]),
        (f"{PARTLY}.good", [f"{PARTLY}.good.Good.test_good"]),
        (f"{PARTLY}.good.Good.test_good", [f"{PARTLY}.good.Good.test_good"]),
        ("partlybroken.Good", [f"{PARTLY}.bad", f"{PARTLY}.good.Good.test_good"]),  # Good could be in bad
    ],
)
def test_a_broken_module_is_not_kept_by_a_label_of_another_module(smoke_apps, label, kept):
    smoke_apps("partlybroken")
    assert selected(labels=(label,)) == kept


def test_tags_class_decorator_method_decorator_attribute_and_inheritance(smoke_apps):
    from tests.smokeapps.tagged import smoke

    assert tags_of(smoke.CriticalSmoke, "test_database") == {"critical"}
    assert tags_of(smoke.CriticalSmoke, "test_report") == {"critical", "slow", "report"}
    assert tags_of(smoke.AttributeTagged, "test_plain") == {"db"}
    assert tags_of(smoke.AttributeTagged, "test_both") == {"db", "critical"}
    assert tags_of(smoke.InheritsCritical, "test_report") == {"critical", "slow", "report"}
    assert tags_of(smoke.InheritsCritical, "test_inherited_plus_own") == {"critical", "db"}
    assert tags_of(smoke.OneStringTag, "test_string") == {"external"}
    assert tags_of(smoke.Untagged, "test_nothing") == set()


def test_class_decorator_adds_to_the_tags_attribute_without_touching_the_base():
    class Base(SmokeTest):
        tags = {"db"}

        def test_x(self):
            pass

    Tagged = tag("critical")(type("Tagged", (Base,), {}))
    assert tags_of(Tagged, "test_x") == {"db", "critical"}
    assert tags_of(Base, "test_x") == {"db"}


def test_django_test_tag_is_read_too():
    from django.test import tag as django_tag

    @django_tag("critical")
    class DjangoTagged(SmokeTest):
        @django_tag("db")
        def test_x(self):
            pass

    assert tags_of(DjangoTagged, "test_x") == {"critical", "db"}


@pytest.mark.parametrize("names", [(), ("",), ("  ",), (None,), ("ok", 3)])
def test_tag_needs_non_empty_names(names):
    with pytest.raises(ValueError, match="tag\\(\\) takes one or more non-empty tag names"):
        tag(*names)


@pytest.mark.parametrize(
    "selection, names",
    [
        (
            {"tags": frozenset({"critical"})},
            [
                "AttributeTagged.test_both",
                "CriticalSmoke.test_database",
                "CriticalSmoke.test_report",
                "InheritsCritical.test_database",
                "InheritsCritical.test_inherited_plus_own",
                "InheritsCritical.test_report",
            ],
        ),
        (
            {"tags": frozenset({"slow", "external"})},
            ["CriticalSmoke.test_report", "InheritsCritical.test_report", "OneStringTag.test_string"],
        ),
        (
            {"tags": frozenset({"critical"}), "exclude_tags": frozenset({"slow", "db"})},
            ["CriticalSmoke.test_database", "InheritsCritical.test_database"],
        ),
        (
            {"labels": ("tagged",), "exclude_tags": frozenset({"critical", "db"})},
            ["OneStringTag.test_string", "Untagged.test_nothing"],
        ),
        ({"labels": ("tagged.CriticalSmoke",), "tags": frozenset({"slow"})}, ["CriticalSmoke.test_report"]),
    ],
)
def test_tag_selection(smoke_apps, selection, names):
    smoke_apps("tagged", "passing")
    assert selected(**selection) == [f"{TAGGED}.{name}" for name in names]


@pytest.mark.parametrize(
    "selection, message",
    [
        ({"tags": frozenset({"critcal"})}, "Unknown tag 'critcal': no smoke test carries it; did you mean 'critical'?"),
        ({"exclude_tags": frozenset({"nope"})}, "Unknown tag 'nope': no smoke test carries it."),
        (
            {"labels": ("tagged.Untagged",), "tags": frozenset({"critical"})},
            "No smoke test matches the selection (labels: tagged.Untagged; tags: critical).",
        ),
        (
            {"tags": frozenset({"db"}), "exclude_tags": frozenset({"db"})},
            "No smoke test matches the selection (tags: db; excluded tags: db).",
        ),
    ],
)
def test_a_selection_that_selects_nothing_is_an_error(smoke_apps, selection, message):
    smoke_apps("tagged", "passing")
    with pytest.raises(SelectionError) as error:
        selected(**selection)
    assert str(error.value) == message


def test_a_broken_module_is_kept_whatever_the_tags(smoke_apps):
    smoke_apps("tagged", "broken")
    assert selected(tags=frozenset({"external"})) == [
        f"{TAGGED}.OneStringTag.test_string",
        "tests.smokeapps.broken.smoke",
    ]


@pytest.mark.parametrize("label", ["nosmoke", "testapp", "tests.smokeapps.nosmoke"])
def test_an_app_without_smoke_tests_is_named_as_such(smoke_apps, label):
    smoke_apps("nosmoke", "passing")
    with pytest.raises(SelectionError) as raised:
        selected(labels=(label,))
    assert str(raised.value) == f"App {label!r} has no smoke tests."


def test_an_imported_builtin_check_is_selected_by_the_module_that_imports_it(smoke_apps):
    smoke_apps("builtin")
    name = "tests.smokeapps.builtin.smoke.DatabaseSmoke.test_databases_answer_and_accept_writes"
    assert name in selected(labels=("tests.smokeapps.builtin.smoke",))
    assert selected(labels=("builtin.DatabaseSmoke",)) == [name]
    with pytest.raises(SelectionError, match="Unknown test label 'smoketest.checks.database'"):
        selected(labels=("smoketest.checks.database",))
