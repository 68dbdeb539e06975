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


def _sigterm_on_first_beat(storage) -> None:
    """The next heartbeat the storage records is interrupted by a SIGTERM to this process."""
    record = storage.record_heartbeat
    beats = []

    def interrupted(trial_id: int) -> None:
        beats.append(trial_id)
        if len(beats) == 1:
            os.kill(os.getpid(), signal.SIGTERM)  # lands while the heartbeat is written
        record(trial_id)

    storage.record_heartbeat = interrupted


def test_sigterm_while_the_heartbeat_starts_fails_the_trial(make_storage) -> None:
    # The CLI worker test once found the trial RUNNING: the signal came right after the
    # trial was created, while its first heartbeat was being written.
    storage = make_storage("sqlite_file", heartbeat_interval=60.0)
    _sigterm_on_first_beat(storage)
    study = ahpo.create_study(storage=storage)
    ran = []
    with pytest.raises(WorkerShutdown), graceful_shutdown():
        study.optimize(lambda t: ran.append(t) or 1.0, n_trials=3)
    assert ran == []  # the objective never started
    (trial,) = study.trials
    assert trial.state == ahpo.TrialState.FAIL
    assert "WorkerShutdown" in trial.system_attrs[FAIL_REASON_KEY]


def test_a_heartbeat_that_cannot_start_fails_its_trial_and_catch_goes_on(make_storage) -> None:
    storage = make_storage("sqlite_file", heartbeat_interval=60.0)
    calls = []

    def broken(trial_id: int) -> None:
        calls.append(trial_id)
        raise OSError("disk full")

    storage.record_heartbeat = broken
    study = ahpo.create_study(storage=storage)
    study.optimize(lambda t: 1.0, n_trials=2, catch=(OSError,))
    assert [t.state for t in study.trials] == [ahpo.TrialState.FAIL] * 2
    assert study.trials[0].system_attrs[FAIL_REASON_KEY] == "OSError: disk full"
    with pytest.raises(OSError, match="disk full"):
        study.optimize(lambda t: 1.0, n_trials=2)
    assert len(study.trials) == 3 and study.trials[-1].state == ahpo.TrialState.FAIL


def test_an_interrupt_before_the_trial_runs_leaves_no_trial_running(monkeypatch) -> None:
    from ahpo.study import _optimize

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt  # as a signal between ask and the objective

    monkeypatch.setattr(_optimize, "_run_trial", interrupted)
    study = ahpo.create_study()
    with pytest.raises(KeyboardInterrupt):
        study.optimize(lambda t: 1.0, n_trials=3)
    (trial,) = study.trials
    assert trial.state == ahpo.TrialState.FAIL
    assert trial.system_attrs[FAIL_REASON_KEY] == "Interrupted before it was told."
