"""RolesSmoke against the groups and permissions in the test databases, and
its fix through ``manage.py smoketest --fix`` in a real subprocess."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connections

from tests.smokeapps.groups import smoke

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)

ROLES = "tests.smokeapps.groups.smoke.Roles"


@pytest.fixture
def run_roles(get_json, smoke_apps):
    """Run ``Roles`` through the endpoint; return its JSON entry."""
    smoke_apps("groups")

    def run() -> dict:
        _, document = get_json(test="groups.Roles")
        (test,) = document["tests"]
        return test

    return run


def grant(name: str, *permissions: str) -> None:
    group = Group.objects.create(name=name)
    for permission in permissions:
        app_label, codename = permission.split(".")
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def groups() -> dict[str, dict[str, list[str]]]:
    """Every group on every alias, with the permissions it holds."""
    return {
        alias: {
            group.name: sorted(f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all())
            for group in Group.objects.using(alias).prefetch_related("permissions__content_type")
        }
        for alias in connections
    }


def test_groups_that_hold_their_permissions_pass(run_roles):
    grant("Editors", "testapp.add_widget", "testapp.change_widget", "testapp.view_widget")  # more is fine
    grant("Support", "auth.view_user")
    before = groups()
    test = run_roles()
    assert (test["status"], test["message"]) == ("pass", "")
    assert sorted(test["tags"]) == ["auth", "builtin", "roles"]
    assert groups() == before


def test_a_missing_group_or_permission_fails_naming_it_and_changes_nothing(run_roles):
    grant("Editors", "testapp.view_widget")
    before = groups()
    test = run_roles()
    assert test["status"] == "fail"
    assert "(group='Editors'): group 'Editors' lacks 1 of its 2 permissions: testapp.change_widget" in test["message"]
    assert "(group='Support'): group 'Support' does not exist; it should hold auth.view_user" in test["message"]
    assert groups() == before == {"default": {"Editors": ["testapp.view_widget"]}, "other": {}}


@pytest.mark.parametrize(
    "roles, problem",
    [
        (
            {"Editors": ["testapp.view_widget", "testapp.publish_widget"]},
            "roles['Editors'] names the permission 'testapp.publish_widget', which no installed model defines",
        ),
        ({"Editors": ["view_widget"]}, "roles['Editors'] names the permission 'view_widget', which no installed"),
        ({"Editors": "testapp.view_widget"}, "roles['Editors'] must be a list of 'app_label.codename' strings"),
    ],
)
def test_a_permission_no_installed_model_defines_is_a_configuration_error(run_roles, monkeypatch, roles, problem):
    grant("Editors", "testapp.view_widget")
    monkeypatch.setattr(smoke.Roles, "roles", roles)
    test = run_roles()
    assert test["status"] == "error"
    assert f"ImproperlyConfigured: {problem}" in test["message"]


def test_without_roles_it_is_skipped_saying_why(run_roles, monkeypatch):
    monkeypatch.setattr(smoke.Roles, "roles", {})
    test = run_roles()
    assert (test["status"], test["message"]) == (
        "skip",
        "no role to check: map group names to their permissions in roles",
    )


def test_fix_creates_the_missing_groups_and_grants_the_missing_permissions(manage, smoke_apps):
    smoke_apps("groups")
    grant("Editors", "testapp.view_widget")
    plan = "grant group 'Editors' testapp.change_widget; create group 'Support' with auth.view_user"

    process = manage("--fix", "--dry-run")
    assert process.returncode == 1
    assert f"{ROLES}: would {plan} (dry run: nothing changed)" in process.stderr.splitlines()
    assert groups() == {"default": {"Editors": ["testapp.view_widget"]}, "other": {}}

    process = manage("--fix")
    assert process.returncode == 0, process.stdout + process.stderr
    lines = process.stderr.splitlines()
    assert f"{ROLES}: will {plan}" in lines
    assert f"{ROLES}.test_groups_hold_their_permissions: FAIL before the fix, PASS after" in lines
    assert process.stdout.startswith("PASS\n")
    assert groups() == {
        "default": {"Editors": ["testapp.change_widget", "testapp.view_widget"], "Support": ["auth.view_user"]},
        "other": {},
    }

    process = manage("--fix")
    assert process.returncode == 0
    assert "--fix: no failed test has a fix" in process.stderr


def test_fix_refuses_a_permission_no_installed_model_defines(manage, smoke_apps, settings):
    smoke_apps("groups", "tests.smokeapps.groups.mistyped")
    process = manage("--fix", "mistyped")
    assert process.returncode == 1
    assert (
        "tests.smokeapps.groups.mistyped.smoke.Mistyped: could not plan its fix: ImproperlyConfigured: "
        "roles['Editors'] names the permission 'testapp.publish_widget'"
    ) in process.stderr
    assert groups() == {"default": {}, "other": {}}
