"""When each smoke test of the ``parallel`` app ran, recorded from whichever worker thread ran it."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

SPANS: list[tuple[str, float, float]] = []
_lock = threading.Lock()


@contextmanager
def span(name: str) -> Iterator[None]:
    start = time.monotonic()
    try:
        yield
    finally:
        with _lock:
            SPANS.append((name, start, time.monotonic()))


def overlap(first: tuple[str, float, float], second: tuple[str, float, float]) -> bool:
    return first[1] < second[2] and second[1] < first[2]
