"""``manage.py smoketest --fix`` (and ``--dry-run``), run as a real
subprocess that changes the test databases; the endpoint never fixes."""

import pytest
from django.contrib.sites.models import Site
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)

UNMIGRATED = "tests.smokeapps.unmigrated.smoke.FirstMissingOnly.test_no_unapplied_migrations"
SITES = "tests.smokeapps.currentsite.smoke.SitesSmoke"


def applied(app: str) -> dict[str, list[str]]:
    """The migrations of ``app`` recorded as applied, per alias."""
    return {
        alias: sorted(MigrationRecorder(connections[alias]).migration_qs.filter(app=app).values_list("name", flat=True))
        for alias in connections
    }


@pytest.fixture
def unmigrated(smoke_apps):
    """The ``unmigrated`` app installed; whatever a fix applied is forgotten afterwards."""
    smoke_apps("unmigrated")
    yield
    for alias in connections:
        MigrationRecorder(connections[alias]).migration_qs.filter(app="unmigrated").delete()


@pytest.fixture
def example_site(smoke_apps, settings):
    """Site 1 as ``django.contrib.sites`` creates it, SitesSmoke installed."""
    smoke_apps("currentsite")
    settings.ALLOWED_HOSTS = [".example.com"]
    Site.objects.update_or_create(pk=1, defaults={"domain": "example.org", "name": "example.com"})


def site() -> tuple[str, str]:
    current = Site.objects.get(pk=1)
    return current.domain, current.name


def test_fix_applies_the_missing_migrations_and_exits_0(manage, unmigrated):
    process = manage("--fix")
    assert process.returncode == 0, process.stdout + process.stderr
    assert process.stdout.startswith("PASS\n")
    assert applied("unmigrated") == {"default": ["0001_initial", "0002_second"], "other": []}  # aliases = ["default"]
    lines = process.stderr.splitlines()
    name = UNMIGRATED.rsplit(".", 1)[0]
    assert f"{name}: will migrate database 'default': apply unmigrated.0001_initial and 1 more" in lines
    assert f"{name}: fixed: migrate database 'default': apply unmigrated.0001_initial and 1 more" in lines
    assert f"{UNMIGRATED}: FAIL before the fix, PASS after" in lines


def test_dry_run_prints_the_plan_and_changes_nothing(manage, unmigrated):
    process = manage("--fix", "--dry-run")
    assert process.returncode == 1
    assert process.stdout.startswith("FAIL\n")
    assert applied("unmigrated") == {"default": [], "other": []}
    name = UNMIGRATED.rsplit(".", 1)[0]
    assert (
        f"{name}: would migrate database 'default': apply unmigrated.0001_initial and 1 more (dry run: nothing changed)"
    ) in process.stderr.splitlines()
    assert "before the fix" not in process.stderr


def test_fix_sets_the_sites_domain_and_default_name_from_the_public_url(manage, example_site, settings):
    settings.SMOKETEST_PUBLIC_URL = "https://shop.example.com/"
    process = manage("--fix", "--dry-run")
    assert process.returncode == 1
    assert site() == ("example.org", "example.com")
    plan = "set Site 1's domain 'example.org' -> 'shop.example.com' and name 'example.com' -> 'shop.example.com'"
    assert f"{SITES}: would {plan} (dry run: nothing changed)" in process.stderr.splitlines()

    process = manage("--fix")
    assert process.returncode == 0, process.stdout + process.stderr
    assert site() == ("shop.example.com", "shop.example.com")
    lines = process.stderr.splitlines()
    assert f"{SITES}: will {plan}" in lines
    for test in ("test_site_domain_is_an_allowed_host", "test_site_domain_matches_the_public_url"):
        assert f"{SITES}.{test}: FAIL before the fix, PASS after" in lines  # one fix for both
    assert process.stdout.startswith("PASS\n")


def test_a_renamed_site_keeps_its_name(manage, example_site, settings):
    Site.objects.filter(pk=1).update(name="The Shop")
    settings.SMOKETEST_PUBLIC_URL = "https://shop.example.com/"
    assert manage("--fix").returncode == 0
    assert site() == ("shop.example.com", "The Shop")


def test_a_failure_without_a_fix_keeps_the_exit_status_1(manage, example_site):
    process = manage("--fix")  # no SMOKETEST_PUBLIC_URL: the domain to set is unknown
    assert process.returncode == 1
    assert site() == ("example.org", "example.com")
    assert f"{SITES}: no fix: SMOKETEST_PUBLIC_URL is not set: the domain to set is unknown" in process.stderr
    assert process.stdout.startswith("FAIL\n")


def test_fix_on_a_passing_run_changes_nothing(manage, smoke_apps):
    smoke_apps("passing")
    process = manage("--fix")
    assert process.returncode == 0
    assert "--fix: no failed test has a fix" in process.stderr


@pytest.mark.parametrize("args", [("--dry-run",), ("--fix", "--list")])
def test_dry_run_without_fix_and_fix_with_list_are_usage_errors(manage, unmigrated, args):
    process = manage(*args)
    assert process.returncode == 2
    assert applied("unmigrated") == {"default": [], "other": []}


def test_the_endpoint_never_fixes(client, unmigrated):
    response = client.get("/smoketest/", {"fix": "1", "dry_run": "0"})
    assert response.status_code == 500
    assert applied("unmigrated") == {"default": [], "other": []}
