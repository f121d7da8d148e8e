"""Classes of quick tests, each noting the thread it ran on: with several
workers allowed, they still run on one (more are hired beside slow steps only)."""

import threading

from smoketest import SmokeTest

THREADS: set[int] = set()


def note() -> None:
    THREADS.add(threading.get_ident())


class QuickOne(SmokeTest):
    def test_1(self):
        note()

    def test_2(self):
        note()

    def test_3(self):
        note()

    def test_4(self):
        note()


class QuickTwo(SmokeTest):
    def test_1(self):
        note()

    def test_2(self):
        note()

    def test_3(self):
        note()

    def test_4(self):
        note()
