"""Ctrl-C during a run: the first press asks the run to stop after its current chunk (which is then
kept), a second press stops at once. Either way the run folder stays resumable."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

MESSAGE = "\nstopping after the current chunk (Ctrl-C again stops at once; either way the run can be resumed)\n"


@contextmanager
def stop_after_chunk() -> Iterator[Callable[[], bool]]:
    """Yield a function that says whether a stop was asked for; plain behaviour outside the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    asked = threading.Event()

    def handle(signum: int, frame: FrameType | None) -> None:
        if asked.is_set():
            raise KeyboardInterrupt
        asked.set()
        sys.stderr.write(MESSAGE)
        sys.stderr.flush()

    previous = signal.signal(signal.SIGINT, handle)
    try:
        yield asked.is_set
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)
