"""What the ``modfixtures`` smoke modules did, in order: (event, module, thread)."""

import threading

EVENTS: list[tuple[str, str, int]] = []
_lock = threading.Lock()


def record(event: str, module: str) -> None:
    with _lock:
        EVENTS.append((event, module.rpartition(".")[2], threading.get_ident()))
