"""Pruning with several workers on one storage, and what multi-objective studies get."""

import threading

import pytest

import ahpo
from ahpo import TrialState
from ahpo.pruners import HyperbandPruner, SuccessiveHalvingPruner


def _objective(trial):
    x = trial.suggest_float("x", 0.0, 1.0)
    for step in range(1, 10):
        trial.report((x - 0.3) ** 2 + 1.0 / step, step)
        if trial.should_prune():
            raise ahpo.TrialPruned()
    return (x - 0.3) ** 2


def _run_workers(make_storage, kind, make_pruner, make_sampler, n_workers=2, n_trials=8):
    """``n_workers`` threads, each with its own storage object, pruner and sampler."""
    name = "shared"
    ahpo.create_study(storage=make_storage(kind), study_name=name)
    studies = [
        ahpo.load_study(
            study_name=name,
            storage=make_storage(kind),
            pruner=make_pruner(),
            sampler=make_sampler(i),
        )
        for i in range(n_workers)
    ]
    errors = []

    def work(study):
        try:
            study.optimize(_objective, n_trials=n_trials)
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in studies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return studies[0].trials


@pytest.mark.parametrize("sampler_trials", ["bracket", "rung"])
def test_hyperband_workers_prune_only_at_their_brackets_rungs(
    shared_kind, make_storage, sampler_trials
):
    def pruner():
        return HyperbandPruner(1, 9, 3, sampler_trials=sampler_trials)

    def sampler(i):
        return ahpo.samplers.TPESampler(seed=i, n_startup_trials=4)

    trials = _run_workers(make_storage, shared_kind, pruner, sampler)
    assert len(trials) == 16
    assert {t.state for t in trials} == {TrialState.COMPLETE, TrialState.PRUNED}
    reference = pruner()
    for t in trials:
        if t.state == TrialState.PRUNED:
            bracket = reference.bracket_of(t.number)
            assert t.last_step in {3 ** (bracket + k) for k in range(3)}
        else:
            assert t.last_step == 9


def test_asha_workers_prune_only_at_rungs(shared_kind, make_storage):
    trials = _run_workers(
        make_storage,
        shared_kind,
        lambda: SuccessiveHalvingPruner(1, 3),
        lambda i: ahpo.samplers.RandomSampler(seed=i),
    )
    pruned = [t for t in trials if t.state == TrialState.PRUNED]
    assert pruned
    assert {t.last_step for t in pruned} <= {1, 3, 9}


@pytest.mark.parametrize("method", ["report", "should_prune"])
def test_multi_objective_studies_cannot_report_or_prune(method):
    study = ahpo.create_study(directions=["minimize", "maximize"], pruner=HyperbandPruner(1, 27, 3))
    trial = study.ask()
    call = (lambda: trial.report(1.0, 1)) if method == "report" else trial.should_prune
    with pytest.raises(NotImplementedError, match=r"single-objective.*2 objectives"):
        call()


def test_multi_objective_studies_run_with_a_pruner_set():
    # A pruner never decides in a multi-objective study, so any pruner is harmless.
    study = ahpo.create_study(
        directions=["minimize", "maximize"],
        pruner=HyperbandPruner(1, 27, 3, sampler_trials="rung"),
        sampler=ahpo.samplers.TPESampler(seed=0, n_startup_trials=3),
    )
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)), 8)
    assert all(t.state == TrialState.COMPLETE for t in study.trials)
