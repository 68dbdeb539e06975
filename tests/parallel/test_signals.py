"""SIGTERM and SIGINT become WorkerShutdown, held back inside critical sections."""

from __future__ import annotations

import os
import signal
import threading

import pytest

import ahpo
from ahpo.parallel import WorkerShutdown, critical, graceful_shutdown
from ahpo.trial._frozen import FAIL_REASON_KEY


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_raises_worker_shutdown_and_handlers_are_restored(sig: signal.Signals) -> None:
    before = signal.getsignal(sig)
    with pytest.raises(WorkerShutdown) as info, graceful_shutdown():
        os.kill(os.getpid(), sig)
    assert info.value.signum == sig
    assert isinstance(info.value, KeyboardInterrupt)
    assert signal.getsignal(sig) is before


def test_critical_section_finishes_before_the_shutdown() -> None:
    finished = []
    with pytest.raises(WorkerShutdown), graceful_shutdown():
        with critical():
            os.kill(os.getpid(), signal.SIGTERM)
            finished.append("inner")  # runs: the signal waits for the section's end
        finished.append("after")  # never runs
    assert finished == ["inner"]


def test_outside_the_main_thread_nothing_is_installed() -> None:
    seen = []

    def run() -> None:
        with graceful_shutdown(), critical():
            seen.append(signal.getsignal(signal.SIGTERM))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert seen == [signal.getsignal(signal.SIGTERM)]


def test_sigterm_in_the_objective_fails_the_trial_and_stops() -> None:
    study = ahpo.create_study()

    def objective(trial: ahpo.Trial) -> float:
        trial.suggest_float("x", 0, 1)
        os.kill(os.getpid(), signal.SIGTERM)
        return 1.0

    with pytest.raises(WorkerShutdown), graceful_shutdown():
        study.optimize(objective, n_trials=5)
    (trial,) = study.trials
    assert trial.state == ahpo.TrialState.FAIL
    assert "WorkerShutdown" in trial.system_attrs[FAIL_REASON_KEY]
