"""Module fixtures as unittest runs them: ``setUpModule`` once before a smoke
module's first class, ``tearDownModule`` and the module cleanups once after
its last, also when its tests are spread over several workers; their
database work rolled back; their errors reported, failing the run. And a
finished result that cannot change."""

import dataclasses

import pytest
from django.db import connection

from smoketest.engine.runner import run_smoke_tests
from smoketest.reports.result import Status
from tests.conftest import wait_for_workers_to_end, widget_names
from tests.smokeapps.modfixtures.events import EVENTS

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)

PARALLEL = connection.vendor != "sqlite"
MODULES = ("first", "second")


def by_name(result) -> dict:
    return {outcome.name.removeprefix("tests.smokeapps."): outcome for outcome in result.outcomes}


@pytest.fixture
def modfixtures(smoke_apps):
    smoke_apps("modfixtures")
    EVENTS.clear()
    yield
    wait_for_workers_to_end()


@pytest.mark.parametrize("workers", [1, 4])
def test_module_fixtures_bracket_their_module_once(modfixtures, settings, workers):
    settings.SMOKETEST_WORKERS = workers
    result = run_smoke_tests()
    assert result.passed, [outcome.summary_line for outcome in result.failures + result.errors]
    assert len(result.outcomes) == 8
    for module in MODULES:
        events = [event for event, name, _ in EVENTS if name == module]
        assert events.count("setUpModule") == events.count("tearDownModule") == events.count("cleanup") == 1
        assert events[0] == "setUpModule"
        assert events[-2:] == ["tearDownModule", "cleanup"]  # cleanups after tearDownModule
        assert sorted(event for event in events if "." in event) == [
            "One.test_a",
            "One.test_b",
            "Two.test_a",
            "Two.test_b",
        ]
    if workers == 1:  # one module after the other, in suite order
        assert [event for event, _, _ in EVENTS if "Module" in event] == [
            "setUpModule",
            "tearDownModule",
            "setUpModule",
            "tearDownModule",
        ]
    elif PARALLEL:  # the tests were spread over the workers
        assert len({thread for event, _, thread in EVENTS if "." in event}) > 1


def test_module_fixture_writes_are_rolled_back(modfixtures):
    result = run_smoke_tests()
    assert result.passed
    assert widget_names() == {"default": [], "other": []}


def test_an_error_in_setupmodule_errors_the_modules_tests_and_fails_the_run(smoke_apps):
    from tests.smokeapps.modbroken import smoke

    smoke_apps("modbroken")
    smoke.CALLS.clear()
    result = run_smoke_tests()
    assert not result.passed
    outcomes = by_name(result)
    for name in ("modbroken.smoke.Broken.test_never_runs", "modbroken.smoke.AlsoBroken.test_never_runs_either"):
        assert outcomes[name].status is Status.ERROR
        assert outcomes[name].message == "setUpModule: RuntimeError: no module fixture today"
        assert "no module fixture today" in outcomes[name].traceback
    # No test ran, nor tearDownModule; the cleanup it registered did (as in unittest).
    assert smoke.CALLS == ["cleanup"]


def test_skiptest_in_setupmodule_skips_the_modules_tests(smoke_apps):
    from tests.smokeapps.modskip import smoke

    smoke_apps("modskip")
    smoke.CALLS.clear()
    result = run_smoke_tests()
    outcome = by_name(result)["modskip.smoke.Skipped.test_skipped"]
    assert (outcome.status, outcome.message) == (Status.SKIP, "the module is off today")
    assert result.passed
    assert smoke.CALLS == []


def test_errors_in_teardownmodule_and_module_cleanups_are_reported(smoke_apps):
    from tests.smokeapps.modteardown import smoke

    smoke_apps("modteardown")
    smoke.CALLS.clear()
    result = run_smoke_tests()
    outcomes = by_name(result)
    assert outcomes["modteardown.smoke.Passes.test_passes"].status is Status.PASS
    teardown = outcomes["modteardown.smoke.tearDownModule"]
    assert (teardown.status, teardown.message) == (Status.ERROR, "ValueError: teardown boom")
    cleanups = outcomes["modteardown.smoke.doModuleCleanups"]
    assert (cleanups.status, cleanups.message) == (Status.ERROR, "KeyError: 'gone'")
    assert not result.passed
    assert smoke.CALLS == ["test", "tearDownModule", "failing cleanup", "cleanup"]
    assert result.test_classes == 1  # the module's entries are no class


def test_a_hanging_setupmodule_times_out_and_errors_the_modules_tests(smoke_apps, settings):
    from tests.smokeapps.modslow import smoke

    smoke_apps("modslow")
    settings.SMOKETEST_TIMEOUT = 1
    smoke.CALLS.clear()
    result = run_smoke_tests()
    assert not result.passed
    assert result.duration_ms < 2500
    assert {outcome.name.rpartition(".")[2]: outcome.message for outcome in result.outcomes} == {
        "test_one": "setUpModule timed out after 1 s",
        "test_two": "setUpModule timed out after 1 s",
    }
    wait_for_workers_to_end()
    assert smoke.CALLS == []  # interrupted at its limit; no test ran, nor tearDownModule


def test_failfast_still_tears_down_the_modules_set_up(smoke_apps, settings):
    from tests.smokeapps.modfailfast import smoke as failing
    from tests.smokeapps.modteardown import smoke as later

    smoke_apps("modfailfast", "modteardown")
    settings.SMOKETEST_WORKERS = 1  # in suite order
    failing.CALLS.clear()
    later.CALLS.clear()
    result = run_smoke_tests(failfast=True)
    assert [outcome.status for outcome in result.outcomes] == [Status.FAIL]
    assert failing.CALLS == ["setUpModule", "test_a_fails", "tearDownModule"]
    assert later.CALLS == []  # stopped before it was set up: nothing to tear down


def test_a_finished_result_cannot_change(smoke_apps):
    smoke_apps("modbroken", "modskip")
    result = run_smoke_tests()
    assert isinstance(result.outcomes, tuple)
    counts = result.counts
    assert (counts[Status.ERROR], counts[Status.SKIP]) == (2, 1)
    outcome = result.outcomes[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        outcome.status = Status.PASS
    with pytest.raises(AttributeError):
        result.outcomes.append(outcome)  # type: ignore[attr-defined]
    # A result made from another one counts its own outcomes.
    passed = dataclasses.replace(result, outcomes=[dataclasses.replace(o, status=Status.PASS) for o in result.outcomes])
    assert passed.counts[Status.PASS] == 3 and passed.passed
    assert result.counts == counts and not result.passed
