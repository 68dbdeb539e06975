"""PBT decisions as a Ray Tune user expects them: who exploits, from which checkpoint, when."""

import json
import warnings
from collections import Counter
from functools import partial

import pytest

import ahpo
from ahpo import TrialState
from ahpo.parallel import ProcessExecutor
from ahpo.pbt import PopulationBasedTraining
from ahpo.samplers import RandomSampler


def _segment(trial, error, steps):
    lr = trial.suggest_float("lr", 1e-3, 1.0, log=True)
    error = 1.0 if error is None else error
    for _ in steps:
        error = (1 - lr) * error + lr**2
    return error, error


def _run(pbt, n_trials, segment=_segment, direction="minimize", catch=()):
    store = {}
    study = ahpo.create_study(sampler=pbt, direction=direction)
    study.optimize(
        pbt.objective(segment, store.__setitem__, store.__getitem__), n_trials, catch=catch
    )
    return study


def _info(trial):
    return trial.system_attrs["pbt"]


def _exploits(trials):
    """Segments that continue from another member's checkpoint."""
    return [
        t
        for t in trials
        if _info(t)["parent"] is not None
        and _info(trials[_info(t)["parent"]])["member"] != _info(t)["member"]
    ]


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_bottom_member_copies_the_best_after_equal_training(direction):
    sign = 1 if direction == "minimize" else -1

    def segment(trial, error, steps):
        value, checkpoint = _segment(trial, error, steps)
        return sign * value, checkpoint

    study = _run(PopulationBasedTraining(4, 3, seed=0), 40, segment, direction)
    trials = study.trials
    for m in range(4):  # a member advances one generation per segment: no jumps
        gens = [_info(t)["generation"] for t in trials if _info(t)["member"] == m]
        assert gens == list(range(len(gens)))
    exploits = _exploits(trials)
    assert exploits
    for t in exploits:
        gen = _info(t)["generation"] - 1
        ranked = sorted(
            (t2 for t2 in trials[: t.number] if _info(t2)["generation"] == gen),
            key=lambda t2: (sign * t2.value, _info(t2)["member"]),
        )
        assert len(ranked) == 4  # every member had trained as long when it was decided
        assert _info(ranked[-1])["member"] == _info(t)["member"]  # the worst copies...
        assert _info(t)["parent"] == ranked[0].number  # ...the best, at that same point
    # One quarter of 4 members: one exploit per generation, not a cascade.
    assert max(Counter(_info(t)["generation"] for t in exploits).values()) == 1


@pytest.mark.parametrize("size", [2, 3])
def test_small_populations_exploit_with_the_default_quantile(size):
    study = _run(PopulationBasedTraining(size, 2, seed=0), 8 * size)
    assert _exploits(study.trials)


def test_a_failing_member_does_not_stall_the_population():
    def segment(trial, error, steps):
        if steps.start > 0 and trial.suggest_float("lr", 1e-3, 1.0, log=True) > 0.05:
            raise FloatingPointError("diverged")  # the same config fails every time
        return _segment(trial, error, steps)

    pbt = PopulationBasedTraining(4, 2, seed=0, base_sampler=RandomSampler(0))
    study = _run(pbt, 60, segment, catch=(FloatingPointError,))
    trials = study.trials
    states = Counter(t.state for t in trials)
    assert states[TrialState.FAIL] >= 1
    assert states[TrialState.COMPLETE] > 50  # the population goes on
    for t in trials:  # a failed segment is not run again from the same checkpoint and params
        retry = [t2 for t2 in trials[t.number + 1 :] if _info(t2)["member"] == _info(t)["member"]]
        if t.state == TrialState.FAIL and retry:
            assert (_info(retry[0])["parent"], retry[0].params) != (_info(t)["parent"], t.params)


def test_concurrent_asks_take_different_members():
    # Two workers each created a trial and read the study before either recorded its
    # placement: the later trial must count the earlier one as taking a member.
    pbt = PopulationBasedTraining(4, 2, seed=0)
    study = ahpo.create_study(sampler=pbt)
    storage = study._storage
    first = storage.create_new_trial(study._study_id)
    second = storage.create_new_trial(study._study_id)
    placed = [pbt.before_trial(study.view, t)["pbt"]["member"] for t in (first, second)]
    assert placed == [0, 1]


def test_no_exploit_during_burn_in():
    study = _run(PopulationBasedTraining(4, 2, seed=0, burn_in_period=10), 40)
    starts = [2 * _info(t)["generation"] for t in _exploits(study.trials)]
    assert starts and min(starts) >= 10  # decided after >= 10 steps of training


def test_hyperparam_mutations_keep_the_other_params():
    def segment(trial, error, steps):
        width = trial.suggest_int("width", 8, 64)
        error = width if error is None else error  # a checkpoint whose shape is `width`
        assert error == width
        trial.suggest_float("lr", 1e-3, 1.0, log=True)
        return float(trial.number % 5), error

    pbt = PopulationBasedTraining(4, 1, seed=0, hyperparam_mutations=["lr"])
    study = _run(pbt, 30, segment)
    exploits = _exploits(study.trials)
    assert exploits
    for t in exploits:
        parent = study.trials[_info(t)["parent"]]
        assert t.params["width"] == parent.params["width"]
        assert t.params["lr"] != parent.params["lr"]


def test_hyperparam_mutations_naming_no_param_warns():
    pbt = PopulationBasedTraining(2, 1, seed=0, hyperparam_mutations=["learning_rate"])
    with pytest.warns(UserWarning, match="learning_rate"):
        _run(pbt, 8)


def test_custom_explore_fn_is_applied_after_the_built_in_perturbation():
    seen = []

    def halve(params):
        seen.append(dict(params))
        return {**params, "lr": params["lr"] / 2}

    study = _run(PopulationBasedTraining(2, 1, seed=0, custom_explore_fn=halve), 12)
    exploits = _exploits(study.trials)
    assert len(seen) == len(exploits) > 0
    assert sorted(t.params["lr"] for t in exploits) == sorted(p["lr"] / 2 for p in seen)


def test_custom_explore_fn_must_return_a_dict():
    pbt = PopulationBasedTraining(2, 1, seed=0, custom_explore_fn=lambda params: None)
    with pytest.raises(TypeError, match="custom_explore_fn"):
        _run(pbt, 8)


def test_without_a_seed_decisions_differ_between_runs():
    def decisions():
        pbt = PopulationBasedTraining(4, 1, base_sampler=RandomSampler(0))
        study = _run(pbt, 32)
        return [(_info(t)["parent"], t.params) for t in study.trials]

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert decisions() != decisions()


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"quantile_fraction": -0.1}, "quantile_fraction"),
        ({"population_size": 2.0}, "population_size"),
        ({"burn_in_period": -1}, "burn_in_period"),
        ({"hyperparam_mutations": "lr"}, "hyperparam_mutations"),
        ({"hyperparam_mutations": {"lr": [0.1, 0.01]}}, "hyperparam_mutations"),
        ({"hyperparam_mutations": [1]}, "hyperparam_mutations"),
        ({"custom_explore_fn": "double"}, "custom_explore_fn"),
        ({"perturbation_factors": 1.2}, "perturbation_factors"),
        ({"perturbation_factors": (0.8, -1.2)}, "perturbation_factors"),
    ],
)
def test_validation_names_the_parameter(kwargs, param):
    args = {"population_size": 4, "interval": 2, **kwargs}
    with pytest.raises((ValueError, TypeError), match=param):
        PopulationBasedTraining(**args)


@pytest.mark.parametrize("missing", ["segment", "save", "load"])
def test_objective_callbacks_must_be_functions(missing):
    args = {"segment": _segment, "save": {}.__setitem__, "load": {}.get, missing: None}
    with pytest.raises(TypeError, match=f"'{missing}' parameter"):
        PopulationBasedTraining(2, 1).objective(**args)


def _save(directory, number, checkpoint):
    (directory / f"{number}.json").write_text(json.dumps(checkpoint))


def _load(directory, number):
    return json.loads((directory / f"{number}.json").read_text())


def test_objective_runs_in_a_process_worker(tmp_path):
    pbt = PopulationBasedTraining(4, 2, seed=0)
    study = ahpo.create_study(
        sampler=pbt, storage=f"sqlite:///{tmp_path / 'pbt.db'}", study_name="pbt"
    )
    objective = pbt.objective(_segment, partial(_save, tmp_path), partial(_load, tmp_path))
    study.optimize(objective, 16, executor=ProcessExecutor(1))
    trials = study.trials
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 16
    assert {_info(t)["member"] for t in trials} == {0, 1, 2, 3}
    for t in trials:
        if _info(t)["parent"] is not None:
            parent = trials[_info(t)["parent"]]
            assert _info(parent)["generation"] == _info(t)["generation"] - 1


def _delete(directory, number):
    (directory / f"{number}.json").unlink(missing_ok=True)


def test_objective_deletes_stale_checkpoints_in_a_process_worker(tmp_path):
    pbt = PopulationBasedTraining(4, 2, seed=0)
    study = ahpo.create_study(
        sampler=pbt, storage=f"sqlite:///{tmp_path / 'pbt.db'}", study_name="pbt"
    )
    objective = pbt.objective(
        _segment, partial(_save, tmp_path), partial(_load, tmp_path), partial(_delete, tmp_path)
    )
    study.optimize(objective, 16, executor=ProcessExecutor(1))
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 16
    assert len(list(tmp_path.glob("*.json"))) < 16


class _Store(dict):
    """A checkpoint store that records what was deleted; loading a deleted one fails."""

    def __init__(self):
        super().__init__()
        self.deleted = []
        self.peak = 0

    def __setitem__(self, number, checkpoint):
        super().__setitem__(number, checkpoint)
        self.peak = max(self.peak, len(self))

    def delete(self, number):
        self.deleted.append(number)
        self.pop(number, None)


@pytest.mark.parametrize("n_jobs", [1, 3])
def test_delete_removes_only_checkpoints_no_segment_loads_again(n_jobs):
    pbt = PopulationBasedTraining(4, 2, quantile_fraction=0.5, seed=0)
    store = _Store()
    study = ahpo.create_study(sampler=pbt)
    objective = pbt.objective(_segment, store.__setitem__, store.__getitem__, store.delete)
    study.optimize(objective, 60, n_jobs=n_jobs)
    trials = study.trials
    # Loading a deleted checkpoint raises KeyError, which would FAIL the trial.
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 60
    assert len(_exploits(trials)) >= 10
    assert store.deleted
    if n_jobs == 1:
        # Each checkpoint is deleted once, and the store holds about two generations
        # (plus the one just saved). With threads a slow worker holds its member back,
        # and with it the generations the others may still copy.
        assert len(store.deleted) == len(set(store.deleted))
        assert store.peak <= 2 * 4 + 1
    latest = {}
    for t in trials:
        latest[_info(t)["member"]] = max(latest.get(_info(t)["member"], 0), t.number)
    assert set(latest.values()) <= set(store)


def test_without_delete_every_checkpoint_stays():
    pbt = PopulationBasedTraining(4, 2, seed=0)
    store = {}
    study = ahpo.create_study(sampler=pbt)
    study.optimize(pbt.objective(_segment, store.__setitem__, store.__getitem__), 20)
    assert sorted(store) == list(range(20))


def test_a_member_still_in_its_first_segment_keeps_the_first_generation():
    pbt = PopulationBasedTraining(3, 1, quantile_fraction=0.5, seed=0)
    store = _Store()
    study = ahpo.create_study(sampler=pbt)
    objective = pbt.objective(_segment, store.__setitem__, store.__getitem__, store.delete)
    slow = study.ask()  # member 0 starts and is still training ...
    assert _info(slow)["member"] == 0
    for _ in range(8):  # ... while members 1 and 2 train four segments each
        trial = study.ask()
        study.tell(trial, objective(trial))
    assert store.deleted == []
    # Member 0 ends badly, after the others' first generation: it ranks against their
    # generation-0 segments and copies the better one, whose checkpoint is still there.
    slow.suggest_float("lr", 1e-3, 1.0, log=True)
    store[slow.number] = 1.0
    study.tell(slow, 1.0)
    trial = study.ask()
    assert _info(trial)["member"] == 0
    parent = study.trials[_info(trial)["parent"]]
    assert _info(parent)["member"] != 0 and _info(parent)["generation"] == 0
    study.tell(trial, objective(trial))
    trial = study.ask()  # the first segment to end after every member passed generation 0
    study.tell(trial, objective(trial))
    assert parent.number in store.deleted


def test_a_checkpoint_a_running_segment_continues_from_is_not_stale():
    from ahpo.pbt._population import stale_checkpoints

    pbt = PopulationBasedTraining(2, 1, quantile_fraction=0.0, seed=0)
    study = ahpo.create_study(sampler=pbt)
    store = {}
    objective = pbt.objective(_segment, store.__setitem__, store.__getitem__)
    for _ in range(4):  # members 0 and 1 reach generation 1
        trial = study.ask()
        study.tell(trial, objective(trial))
    # More workers than members: both members busy, a third worker duplicates one.
    first, second, third = study.ask(), study.ask(), study.ask()
    parent = _info(third)["parent"]
    assert _info(study.trials[parent])["generation"] == 1
    for trial in (first, second):  # both members reach generation 2 ...
        study.tell(trial, objective(trial))
    # ... but the duplicated segment has yet to load its generation-1 parent.
    assert parent not in stale_checkpoints(study.trials, 2)
    study.tell(third, objective(third))
    assert parent in stale_checkpoints(study.trials, 2)
