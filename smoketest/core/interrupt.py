"""Interrupting another thread's Python code: the time limits' last resort."""

import ctypes


class Interrupted(BaseException):
    """Raised in a test whose worker was abandoned at its time limit. Not an
    ``Exception``: the test's own ``except Exception`` cannot swallow it."""


def raise_in(thread_id: int, exception: type[BaseException] | None) -> None:
    """Make the thread raise ``exception`` at its next bytecode (``None``
    withdraws one not raised yet). A blocking call (a socket read, a sleep, a
    query) is interrupted only when it returns."""
    pending = ctypes.py_object(exception) if exception else None
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), pending)
