"""Studies on real SQL databases: SQLite files and PostgreSQL."""

import multiprocessing
import time
import uuid

import pytest

import ahpo
from ahpo import TrialState


def _objective(trial):
    x = trial.suggest_float("x", -5, 5)
    k = trial.suggest_categorical("k", ["a", "b"])
    n = trial.suggest_int("n", 1, 64, log=True)
    trial.report(x, 0)
    trial.set_user_attr("k2", k * 2)
    return x**2 + n


@pytest.fixture
def sql(shared_kind, make_storage):
    """A factory of storages that all open the same real database."""
    return lambda **kwargs: make_storage(shared_kind, **kwargs)


def test_study_round_trips_through_the_database(sql):
    name = f"s-{uuid.uuid4()}"
    study = ahpo.create_study(storage=sql(), study_name=name, direction="minimize")
    study.enqueue_trial({"x": 0.5})
    study.optimize(_objective, n_trials=12)
    study.optimize(lambda t: float("nan"), n_trials=1)
    reopened = ahpo.load_study(study_name=name, storage=sql())
    assert [(t.number, t.state, t.params, t.values, t.user_attrs, t.intermediate_values)
            for t in reopened.trials] == [
        (t.number, t.state, t.params, t.values, t.user_attrs, t.intermediate_values)
        for t in study.trials
    ]
    assert reopened.trials[0].params["x"] == 0.5
    assert reopened.trials[-1].state == TrialState.FAIL
    assert reopened.best_params == study.best_params


def test_failed_objective_keeps_earlier_results(sql):
    name = f"s-{uuid.uuid4()}"
    study = ahpo.create_study(storage=sql(), study_name=name)
    study.optimize(_objective, n_trials=3)

    def broken(trial):
        trial.suggest_float("x", -5, 5)
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        study.optimize(broken, n_trials=3)
    again = ahpo.load_study(study_name=name, storage=sql())
    states = [t.state for t in again.trials]
    assert states == [TrialState.COMPLETE] * 3 + [TrialState.FAIL]
    assert "disk full" in again.trials[-1].system_attrs["fail_reason"]


def _worker(url, name, n):
    study = ahpo.load_study(study_name=name, storage=url)
    study.optimize(_objective, n_trials=n)


@pytest.mark.slow
def test_two_processes_share_one_sqlite_study(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    name = "shared"
    ahpo.create_study(storage=url, study_name=name)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_worker, args=(url, name, 40)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    trials = ahpo.load_study(study_name=name, storage=url).trials
    assert len(trials) == 80
    assert sorted(t.number for t in trials) == list(range(80))
    assert all(t.state == TrialState.COMPLETE and t.values is not None for t in trials)


def test_threads_share_one_sql_study(sql):
    name = f"s-{uuid.uuid4()}"
    study = ahpo.create_study(storage=sql(), study_name=name)
    for i in range(6):
        study.enqueue_trial({"x": float(i)})
    study.optimize(_objective, n_trials=24, n_jobs=4)
    trials = study.trials
    assert len(trials) == 24
    assert sorted(t.number for t in trials) == list(range(24))
    assert all(t.state == TrialState.COMPLETE for t in trials)
    fixed = sorted(t.params["x"] for t in trials if t.params["x"] in {0.0, 1.0, 2.0, 3.0, 4.0, 5.0})
    assert fixed[:6] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


def test_dead_worker_trial_is_failed_and_retried(sql):
    retry = ahpo.storages.RetryFailedTrialCallback(max_retry=1)
    storage = sql(heartbeat_interval=0.2, grace_period=0.5, failed_trial_callback=retry)
    name = f"s-{uuid.uuid4()}"
    study = ahpo.create_study(storage=storage, study_name=name)
    orphan = study.ask()
    orphan.suggest_float("x", -5, 5)
    storage.record_heartbeat(orphan._trial_id)
    # The worker that asked for `orphan` dies here: no tell, no more heartbeats.
    time.sleep(0.8)
    study.optimize(_objective, n_trials=2)
    trials = study.trials
    assert trials[0].state == TrialState.FAIL
    assert "heartbeat" in trials[0].system_attrs["fail_reason"]
    retried = [t for t in trials if t.system_attrs.get("failed_trial") == 0]
    assert len(retried) == 1
    assert retried[0].params["x"] == trials[0].params["x"]
    assert retried[0].state == TrialState.COMPLETE
    assert ahpo.storages.RetryFailedTrialCallback.retried_trial_number(retried[0]) == 0
