"""A module and a class fixture whose first statement is a write sent
through a driver cursor."""

from django.db import connection

from smoketest import SmokeTest

INSERT = "INSERT INTO testapp_widget (name) VALUES ('{}')"


def raw_execute(statement):
    cursor = connection.connection.cursor()
    try:
        cursor.execute(statement)
    finally:
        cursor.close()


def setUpModule():
    raw_execute(INSERT.format("setUpModule"))


class ClassFixtureFirst(SmokeTest):
    @classmethod
    def setUpClass(cls):
        raw_execute(INSERT.format("setUpClass"))

    def test_writes_through_the_driver(self):
        raw_execute(INSERT.format(self._testMethodName))
