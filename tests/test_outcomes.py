"""SmokeTest is a real unittest.TestCase: every unittest feature reports as unittest would."""

import pytest

from tests.conftest import by_name, widget_names

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)


@pytest.fixture
def outcomes(get_json, smoke_apps):
    smoke_apps("outcomes")
    response, document = get_json()
    assert response.status_code == 500
    return by_name(document)


def test_setup_runs_before_the_test(outcomes):
    assert outcomes["test_pass_sees_setup"]["status"] == "pass"


def test_assertion_failure_is_a_failure_with_its_message(outcomes):
    assert outcomes["test_fail"] == {**outcomes["test_fail"], "status": "fail", "message": "1 != 2 : one is not two"}


def test_exception_is_an_error(outcomes):
    assert outcomes["test_error"]["status"] == "error"
    assert outcomes["test_error"]["message"] == "ValueError: boom"


def test_sys_exit_is_an_error_not_a_dead_worker(outcomes):
    assert outcomes["test_sys_exit"]["status"] == "error"
    assert outcomes["test_sys_exit"]["message"] == "SystemExit: 3"


@pytest.mark.parametrize(
    "name, reason",
    [("test_skipped", "not today"), ("test_skipped_if", "condition met"), ("test_one", "whole class off")],
)
def test_skips_are_skips_with_their_reason(outcomes, name, reason):
    assert (outcomes[name]["status"], outcomes[name]["message"]) == ("skip", reason)


def test_expected_failure_passes_and_unexpected_success_fails(outcomes):
    assert outcomes["test_expected_failure"]["status"] == "pass"
    assert outcomes["test_unexpected_success"]["status"] == "fail"
    assert "unexpected success" in outcomes["test_unexpected_success"]["message"]


def test_failing_subtest_fails_the_test_and_names_the_subtest(outcomes):
    assert outcomes["test_subtests"]["status"] == "fail"
    assert outcomes["test_subtests"]["message"] == "(i=2): 2 not less than 2"


def test_class_fixtures_are_shared_but_tests_stay_isolated(outcomes):
    assert outcomes["test_a_sees_class_fixture"]["status"] == "pass"
    assert outcomes["test_b_does_not_see_test_a"]["status"] == "pass"


def test_broken_setupclass_errors_its_tests(outcomes):
    assert outcomes["test_never_runs"]["status"] == "error"
    assert outcomes["test_never_runs"]["message"] == "setUpClass: RuntimeError: no fixture today"


def test_setup_teardown_cleanup_and_class_fixture_writes_are_rolled_back(outcomes):
    assert widget_names() == {"default": [], "other": []}


def test_django_response_assertions_work_in_smoke_tests(get_json, smoke_apps):
    smoke_apps("responses")
    outcomes = by_name(get_json()[1])
    assert outcomes["test_contains_passes"]["status"] == "pass"
    assert outcomes["test_redirects"]["status"] == "pass"
    assert outcomes["test_contains_fails"]["status"] == "fail"
    assert "Couldn't find 'Checkout' in the following response" in outcomes["test_contains_fails"]["message"]
    assert outcomes["test_contains_checks_the_status"]["status"] == "fail"
    assert "Response code was 503 (expected 200)" in outcomes["test_contains_checks_the_status"]["message"]
    assert outcomes["test_json_equal"]["status"] == "fail"
