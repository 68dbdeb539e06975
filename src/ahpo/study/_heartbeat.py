"""Heartbeats of running trials, and failing the trials of dead workers."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import TYPE_CHECKING

from ahpo.logging import get_logger

if TYPE_CHECKING:
    from ahpo.study._study import Study

_logger = get_logger(__name__)


def fail_stale_trials(study: Study) -> None:
    """Fail RUNNING trials whose worker stopped beating; run the storage's callback."""
    storage = study._storage
    if storage.heartbeat_interval is None:
        return
    for trial_id in storage.fail_stale_trials(study._study_id):
        trial = storage.get_trial(trial_id)
        _logger.warning("Trial %d failed: its worker stopped sending heartbeats.", trial.number)
        if storage.failed_trial_callback is not None:
            storage.failed_trial_callback(study, trial)


class Heartbeat:
    """Context manager that beats for one trial on a daemon thread while it runs."""

    def __init__(self, study: Study, trial_id: int) -> None:
        self._storage = study._storage
        self._trial_id = trial_id
        self._stop: threading.Event | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Heartbeat:
        interval = self._storage.heartbeat_interval
        if interval is not None:
            self._stop = threading.Event()
            self._storage.record_heartbeat(self._trial_id)
            self._thread = threading.Thread(
                target=self._beat, args=(interval,), name="ahpo-heartbeat", daemon=True
            )
            self._thread.start()
        return self

    def _beat(self, interval: float) -> None:
        assert self._stop is not None  # set together with the thread in __enter__
        while not self._stop.wait(interval):
            try:
                self._storage.record_heartbeat(self._trial_id)
            except Exception:  # a missed beat must not kill the trial
                _logger.warning("Heartbeat of trial id %d failed.", self._trial_id, exc_info=True)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._stop is not None and self._thread is not None:
            self._stop.set()
            self._thread.join()
