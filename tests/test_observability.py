"""Each run is logged and signalled, so log alerts and Sentry see failures."""

import logging

import pytest

from smoketest.core.signals import run_finished

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)


def test_a_run_logs_a_summary_and_each_problem_with_its_traceback(client, smoke_apps, caplog):
    smoke_apps("outcomes")
    with caplog.at_level(logging.INFO, logger="smoketest"):
        client.get("/smoketest/")
    records = [record for record in caplog.records if record.name == "smoketest"]
    summary = records[0]
    assert summary.levelno == logging.WARNING
    assert summary.getMessage().startswith("smoketest FAIL: 14 run, 4 passed, 4 failed, 3 errored, 3 skipped in ")
    problems = [record.getMessage() for record in records if record.levelno == logging.ERROR]
    assert len(problems) == 7
    error = next(message for message in problems if "test_error errored" in message)
    assert 'raise ValueError("boom")' in error


def test_run_finished_carries_the_result_and_a_broken_receiver_breaks_nothing(client, smoke_apps, runs):
    smoke_apps("multidb")

    def broken(sender, result, **kwargs):
        raise RuntimeError("receiver bug")

    run_finished.connect(broken)
    try:
        response = client.get("/smoketest/")
    finally:
        run_finished.disconnect(broken)
    assert response.status_code == 200
    assert [result.status for result in runs] == ["PASS"]
    assert runs[0].outcomes[0].name.endswith("test_writes_every_alias")


def test_a_fail_answer_is_not_logged_as_a_server_error(client, smoke_apps, caplog):
    smoke_apps("outcomes")
    with caplog.at_level(logging.INFO, logger="django.request"):
        response = client.get("/smoketest/")
    assert response.status_code == 500
    assert [record for record in caplog.records if record.name == "django.request"] == []
