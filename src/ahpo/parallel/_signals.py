"""Graceful shutdown: SIGTERM and Ctrl-C stop a worker between database writes.

Inside :func:`graceful_shutdown`, SIGTERM and SIGINT raise :class:`WorkerShutdown`
(a ``KeyboardInterrupt``) in the main thread, so the optimize loop marks the running
trial FAIL and stops, as it does for Ctrl-C. A signal that arrives inside a
:func:`critical` section (asking for or telling a trial) is held back until the
section ends, so a trial is never left half-created or half-told.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

_SIGNALS = (signal.SIGTERM, signal.SIGINT)
# Signal handlers run in the main thread, and only the main thread enters sections.
_depth = 0
_pending: WorkerShutdown | None = None


class WorkerShutdown(KeyboardInterrupt):
    """A worker was asked to stop by a signal; ``signum`` says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"Received {signal.Signals(signum).name}: stopping the worker.")
        self.signum = signum


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _handle(signum: int, _frame: FrameType | None) -> None:
    global _pending
    shutdown = WorkerShutdown(signum)
    if _depth > 0:
        _pending = shutdown
        return
    raise shutdown


@contextlib.contextmanager
def graceful_shutdown() -> Iterator[None]:
    """Turn SIGTERM and SIGINT into :class:`WorkerShutdown` while the block runs.

    Outside the main thread (e.g. a Dask worker's task thread) signals cannot be
    handled, and the block runs unchanged.

    Examples
    --------
    >>> from ahpo.parallel import graceful_shutdown
    >>> with graceful_shutdown():
    ...     pass
    """
    if not _in_main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in _SIGNALS}
    for sig in _SIGNALS:
        signal.signal(sig, _handle)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def critical() -> Iterator[None]:
    """Hold back a shutdown signal until the block ends (no-op outside the main thread)."""
    global _depth, _pending
    if not _in_main_thread():
        yield
        return
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0 and _pending is not None:
            shutdown, _pending = _pending, None
            raise shutdown
