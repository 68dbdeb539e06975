"""The views a pruner hands to the sampler: Hyperband's bracket and BOHB's rung."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ahpo
from ahpo import TrialState
from ahpo.pruners import HyperbandPruner, NopPruner
from ahpo.pruners._rungs import rung_value
from ahpo.pruners._views import RungCache, RungView
from ahpo.samplers import RandomSampler

from ._history import add, running


class _Recorder(RandomSampler):
    """Random sampling that records which trial numbers each call could see."""

    def __init__(self) -> None:
        super().__init__(seed=0)
        self.seen: dict[int, set[tuple[int, ...]]] = {}

    def _record(self, view, trial):
        numbers = tuple(t.number for t in view.get_trials())
        self.seen.setdefault(trial.number, set()).add(numbers)

    def sample_independent(self, view, trial, name, distribution):
        self._record(view, trial)
        return super().sample_independent(view, trial, name, distribution)


def _objective(trial):
    x = trial.suggest_float("x", 0.0, 1.0)
    y = trial.suggest_float("y", 0.0, 1.0)
    for step in range(1, 10):
        trial.report(x + y / step, step)
        if trial.should_prune():
            raise ahpo.TrialPruned()
    return x + y / 9


def test_default_hook_shows_the_study_itself():
    study = ahpo.create_study(pruner=NopPruner())
    assert study.pruner.sampler_view(study.view, study.ask()._frozen) is study.view


def test_hyperband_sampler_sees_only_its_bracket():
    pruner = HyperbandPruner(1, 9, 3, sampler_trials="bracket")
    sampler = _Recorder()
    study = ahpo.create_study(sampler=sampler, pruner=pruner)
    study.optimize(_objective, n_trials=20)
    for number, views in sampler.seen.items():
        bracket = pruner.bracket_of(number)
        for numbers in views:
            assert number in numbers
            assert {pruner.bracket_of(n) for n in numbers} == {bracket}
            assert set(numbers) == {n for n in range(number + 1) if pruner.bracket_of(n) == bracket}


def test_hyperband_auto_max_resource_shows_everything_until_a_trial_completes():
    pruner = HyperbandPruner(1, "auto", 3, sampler_trials="bracket")
    study = ahpo.create_study(pruner=pruner)
    for _ in range(3):
        running(study, {1: 1.0})
    trial = study.ask()
    view = pruner.sampler_view(study.view, trial._frozen)
    assert [t.number for t in view.trials] == [0, 1, 2, 3]
    add(study, {s: 1.0 for s in range(1, 10)})  # max_resource becomes 10
    bracket = pruner.bracket_of(3, study.view)
    expected = [n for n in range(5) if pruner.bracket_of(n, study.view) == bracket]
    assert [t.number for t in view.trials] == expected


def test_all_shows_the_study_itself():
    pruner = HyperbandPruner(1, 9, 3, sampler_trials="all")
    study = ahpo.create_study(pruner=pruner)
    assert pruner.sampler_view(study.view, study.ask()._frozen) is study.view


def _rung_study(min_observations):
    pruner = HyperbandPruner(1, 9, 3, sampler_trials="rung", min_observations=min_observations)
    study = ahpo.create_study(pruner=pruner)
    add(study, {1: 5.0, 3: 4.0, 9: 3.0})  # 0: complete, rungs 0, 1, 2
    add(study, {1: 6.0, 3: 2.0}, TrialState.PRUNED)  # 1: rungs 0, 1
    add(study, {1: 7.0}, TrialState.PRUNED)  # 2: rung 0
    add(study, {1: 1.0, 2: 1.5}, TrialState.FAIL)  # 3: failed
    running(study, {1: 0.5, 2: 0.4, 3: 0.3})  # 4: running, reached rung 1
    running(study, {1: 9.0})  # 5: running, rung 0 only
    return pruner, study


def test_rung_view_values_trials_at_the_highest_filled_rung():
    pruner, study = _rung_study(min_observations=3)
    view = pruner.sampler_view(study.view, study.trials[-1])
    assert view.fidelity() == 1  # rung 1 (step 3): trials 0, 1, 4
    shown = {t.number: t for t in view.trials}
    assert [(n, shown[n].state, shown[n].values) for n in (0, 1, 4)] == [
        (0, TrialState.COMPLETE, (4.0,)),
        (1, TrialState.COMPLETE, (2.0,)),
        (4, TrialState.COMPLETE, (0.3,)),
    ]
    # stopped below the rung: pending at this fidelity, its parameters but no value
    assert (shown[2].state, shown[2].values) == (TrialState.RUNNING, None)
    assert shown[2].params == study.trials[2].params
    assert shown[3].state == TrialState.FAIL
    assert shown[5].state == TrialState.RUNNING
    assert [t.number for t in view.get_trials((TrialState.COMPLETE,))] == [0, 1, 4]


def test_the_default_view_is_the_rung_view():
    explicit, study = _rung_study(min_observations=None)
    default = HyperbandPruner(1, 9, 3)
    trial = study.trials[-1]
    view = default.sampler_view(study.view, trial)
    assert view.fidelity() == 1  # no parameters: BOHB's d + 3 is 3, and rung 1 has 0, 1, 4
    assert view.trials == explicit.sampler_view(study.view, trial).trials
    assert view.trials != study.trials


def test_rung_view_moves_up_as_rungs_fill():
    pruner, study = _rung_study(min_observations=1)
    assert pruner.sampler_view(study.view, study.trials[-1]).fidelity() == 2
    pruner, study = _rung_study(min_observations=4)
    assert pruner.sampler_view(study.view, study.trials[-1]).fidelity() == 0


def test_rung_view_shows_the_study_while_no_rung_is_filled():
    pruner, study = _rung_study(min_observations=6)
    view = pruner.sampler_view(study.view, study.trials[-1])
    assert view.fidelity() is None
    assert view.trials == study.trials


def test_rung_view_default_needs_bohb_d_plus_3():
    pruner = HyperbandPruner(1, 9, 3, sampler_trials="rung")
    study = ahpo.create_study(pruner=pruner, sampler=RandomSampler(seed=0))
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    views = []
    for _ in range(4):  # one parameter: a rung needs 1 + 3 trials
        trial = study.ask()
        trial.suggest_float("x", 0, 1)
        trial.report(1.0, 1)
        study.tell(trial, state=TrialState.PRUNED)
        views.append(pruner.sampler_view(study.view, study.trials[-1]).fidelity())
    assert views == [None, None, None, 0]
    view = pruner.sampler_view(study.view, study.trials[-1])
    assert len(view.get_trials((TrialState.COMPLETE,))) == 4
    # the 3 that completed without reports have no value at rung 0: pending
    assert [t.state for t in view.trials[:3]] == [TrialState.RUNNING] * 3


def test_rung_view_reuses_finished_trials():
    pruner, study = _rung_study(min_observations=3)
    view = pruner.sampler_view(study.view, study.trials[-1])
    first = {t.number: t for t in view.trials}
    again = {t.number: t for t in view.trials}
    assert first[0] is again[0] and first[1] is again[1]
    assert first[4] is not again[4]  # running: re-read every time


def test_rung_view_of_a_study_created_again_under_its_name_shows_its_own_values():
    """One pruner, two in-memory studies named alike (trial ids restart at 0): the view
    of the second shows the second's rung values, not cached ones of the first."""
    pruner = HyperbandPruner(1, 9, 3, sampler_trials="rung", min_observations=2)
    shown = []
    for base in (1.0, 5.0):
        study = ahpo.create_study(study_name="same", pruner=pruner)
        for i in range(3):
            add(study, {1: base + i, 3: base + i, 9: base + i})
        running(study, {})
        view = pruner.sampler_view(study.view, study.trials[-1])
        shown.append([t.value for t in view.get_trials((TrialState.COMPLETE,))])
    assert shown == [[1.0, 2.0, 3.0], [5.0, 6.0, 7.0]]


def test_rung_view_ignores_multi_objective_studies():
    pruner = HyperbandPruner(1, 9, 3, sampler_trials="rung")
    study = ahpo.create_study(directions=["minimize", "maximize"], pruner=pruner)
    assert pruner.sampler_view(study.view, study.ask()._frozen) is study.view


_histories = st.lists(
    st.tuples(
        st.sampled_from([TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL]),
        st.dictionaries(st.integers(1, 30), st.floats(-10, 10), max_size=6),
    ),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(history=_histories, min_observations=st.integers(1, 5))
def test_rung_view_properties(history, min_observations):
    study = ahpo.create_study()
    for state, values in history:
        add(study, values, state)
    view = RungView(study.view, RungCache(1, 3), min_observations)
    rung = view.fidelity()
    trials = study.trials
    reached = [
        [t for t in trials if t.state != TrialState.FAIL and (t.last_step or 0) >= 3**k]
        for k in range(5)
    ]
    if rung is None:
        assert all(len(r) < min_observations for r in reached)
        assert view.trials == trials
        return
    assert len(reached[rung]) >= min_observations
    assert all(len(r) < min_observations for r in reached[rung + 1 :])
    shown = view.trials
    assert [t.number for t in shown] == [t.number for t in trials]
    for before, after in zip(trials, shown, strict=True):
        assert after.params == before.params
        if before.state == TrialState.FAIL:
            assert after == before
        elif before in reached[rung]:
            assert after.state == TrialState.COMPLETE
            assert after.values == (rung_value(before.intermediate_values, 3**rung),)
        else:  # stopped below the rung
            assert (after.state, after.values) == (TrialState.RUNNING, None)


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [({"sampler_trials": "bohb"}, "sampler_trials"), ({"min_observations": 0}, "min_observations")],
)
def test_validation(kwargs, param):
    with pytest.raises(ValueError, match=param):
        HyperbandPruner(1, 9, **kwargs)


def test_bohb_with_tpe_runs_end_to_end():
    study = ahpo.create_study(
        sampler=ahpo.samplers.TPESampler(seed=1, n_startup_trials=5),
        pruner=HyperbandPruner(1, 9, 3, sampler_trials="rung"),
    )
    study.optimize(_objective, n_trials=40)
    assert any(t.state == TrialState.PRUNED for t in study.trials)
    assert not math.isnan(study.best_value)


def test_bohb_with_gp_runs_end_to_end():
    sampler = ahpo.samplers.GPSampler(seed=1, n_startup_trials=5)
    pruner = HyperbandPruner(1, 9, 3, sampler_trials="rung")
    study = ahpo.create_study(sampler=sampler, pruner=pruner)
    study.optimize(_objective, n_trials=30)
    assert any(t.state == TrialState.PRUNED for t in study.trials)
    assert not math.isnan(study.best_value)
    assert pruner.sampler_view(study.view, study.trials[-1]).fidelity() is not None


def test_bohb_with_gp_never_proposes_a_point_stopped_below_the_rung_again():
    # Left out of the view, a point pruned at the first rung changed nothing the GP
    # sees, so its next proposal was the same point: 10 to 27 exact copies in 80
    # trials on seeds 0-3 before such trials were shown as pending.
    def objective(trial):
        x, y = trial.suggest_float("x", 0.0, 1.0), trial.suggest_float("y", 0.0, 1.0)
        final = (x - 0.7) ** 2 + (y - 0.2) ** 2
        for step in range(1, 28):  # large x starts low: early ranks mislead
            trial.report(final + 0.3 * (1 - x) * (step**-1.0 - 1 / 27), step)
            if trial.should_prune():
                raise ahpo.TrialPruned()
        return final

    study = ahpo.create_study(
        sampler=ahpo.samplers.GPSampler(seed=0, n_startup_trials=5),
        pruner=HyperbandPruner(1, 27, 3, sampler_trials="rung"),
    )
    study.optimize(objective, n_trials=60)
    points = [tuple(t.params.values()) for t in study.trials]
    assert len(set(points)) == len(points)


def test_bookkeeping_samplers_still_see_every_trial():
    # before_trial gets the whole study: a grid hands out each point once across brackets.
    grid = ahpo.samplers.GridSampler({"x": [0.0, 0.2, 0.4, 0.6, 0.8, 1.0], "y": [0.5]})
    study = ahpo.create_study(sampler=grid, pruner=HyperbandPruner(1, 9, 3))
    study.optimize(_objective, n_trials=6)
    assert sorted(t.params["x"] for t in study.trials) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]


def _curve_objective(trial):
    """Power-law learning curves towards a known final loss ``(x - 0.7)**2 + (y - 0.2)**2``."""
    x = trial.suggest_float("x", 0.0, 1.0)
    y = trial.suggest_float("y", 0.0, 1.0)
    final = (x - 0.7) ** 2 + (y - 0.2) ** 2
    for step in range(1, 10):
        trial.report(final + 0.3 * (step**-1.0 - 1 / 9), step)
        if trial.should_prune():
            raise ahpo.TrialPruned()
    return final


def test_bohb_style_beats_hyperband_with_random_sampling():
    # 19 of seeds 0-19 at this size (BOHB wins 13 of 20 with 60 trials per study).
    wins = 0
    for seed in range(10):
        best = {}
        for name, sampler, mode in (
            ("bohb", ahpo.samplers.TPESampler(seed=seed, random_fraction=1 / 3), "rung"),
            ("random", RandomSampler(seed=seed), "bracket"),
        ):
            study = ahpo.create_study(
                sampler=sampler, pruner=HyperbandPruner(1, 9, 3, sampler_trials=mode)
            )
            study.optimize(_curve_objective, n_trials=150)
            best[name] = study.best_value
        wins += best["bohb"] < best["random"]
    assert wins >= 8
