"""``async def`` smoke tests run in an event loop, inside the same rolled-back isolation."""

import time

import pytest

from tests.conftest import by_name, wait_for_workers_to_end, widget_names

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)


def test_async_tests_pass_fail_time_out_and_are_rolled_back(get_json, smoke_apps):
    smoke_apps("asyncapp")
    start = time.monotonic()
    response, document = get_json()
    assert time.monotonic() - start < 3
    tests = by_name(document)
    assert tests["test_async_orm_write_is_visible_inside_the_test"]["status"] == "pass"
    assert tests["test_sync_test_beside_it"]["status"] == "pass"
    assert tests["test_async_failure"]["status"] == "fail"
    assert tests["test_async_failure"]["message"] == "0 != 42"
    assert tests["test_async_hang"]["message"] == "timed out after 1 s"
    assert response.status_code == 500
    wait_for_workers_to_end()
    assert widget_names() == {"default": [], "other": []}
