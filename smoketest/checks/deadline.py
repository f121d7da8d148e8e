"""A time limit for a block of code, in whatever thread runs it.

A crawled request must run in the smoke test's own thread (it uses the test's
database connections, inside its rolled-back transaction), so it cannot be
moved to a worker thread that could be abandoned. Instead a timer raises
``DeadlineExceeded`` inside the running thread when the time is up.
"""

import threading
from types import TracebackType

from smoketest.core.interrupt import raise_in


class DeadlineExceeded(BaseException):
    """Raised in the timed block when its time is up. Not an ``Exception``:
    a view's ``except Exception`` cannot swallow it."""


class deadline:  # lower case: used like a function, ``with deadline(5):``
    """Raise ``DeadlineExceeded`` in the ``with`` block once it has run ``seconds``.

    Python code is interrupted at its next bytecode; a single blocking call
    (a socket read, a sleep, a database query) is interrupted when it returns.
    Whatever the timing, an interruption is delivered at most once and never
    after the block: it leaves the ``with`` statement as ``DeadlineExceeded``.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._running = False
        self._fired = False
        self._thread = 0
        self._timer = threading.Timer(seconds, self._interrupt)
        self._timer.daemon = True

    def __enter__(self) -> None:
        self._thread = threading.get_ident()
        self._running = True
        self._timer.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        with self._lock:
            self._running = False
        self._timer.cancel()
        if self._fired:
            raise_in(self._thread, None)  # drop it if it has not been delivered yet
            raise DeadlineExceeded(f"timed out after {self.seconds:g} s")

    def _interrupt(self) -> None:
        with self._lock:
            if self._running:
                self._fired = True
                raise_in(self._thread, DeadlineExceeded)
