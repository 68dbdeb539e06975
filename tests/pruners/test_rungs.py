"""The incremental rung index decides as a pass over every trial's reports would."""

import datetime
import math
import pickle

import hypothesis.strategies as st
from hypothesis import given, settings

import ahpo
from ahpo.pruners._rungs import RungIndex, rung_value
from ahpo.trial._frozen import FrozenTrial
from ahpo.trial._state import TrialState

_COMPETING = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)
_T0 = datetime.datetime(2026, 1, 1)


def _reference(trials, trial, sign, rung_step, eta, bootstrap_count, last):
    """ASHA's rule read off every trial at every decision (the definition)."""
    value = trial.intermediate_values[trial.last_step]
    if math.isnan(value):
        return True
    own = sign * value
    rivals = [t for t in trials if t.state in _COMPETING and t.number != trial.number]
    while rung_step <= last:
        competing = [own]
        for t in rivals:
            v = rung_value(t.intermediate_values, rung_step)
            if v is not None and not math.isnan(v):  # pruned there, not counted
                competing.append(sign * v)
        if len(competing) <= bootstrap_count:
            return True
        competing.sort()
        if own > competing[max(len(competing) // eta - 1, 0)]:
            return True
        rung_step *= eta
    return False


_values = st.one_of(
    st.sampled_from([0.0, 0.5, 1.0, math.nan]), st.floats(-2, 2, allow_nan=False)
)
_trial = st.tuples(
    st.lists(st.tuples(st.integers(0, 30), _values), max_size=8),  # reports
    st.sampled_from(["COMPLETE", "PRUNED", "FAIL", "RUNNING", "WAITING"]),  # final state
    st.integers(0, 12),  # when it leaves RUNNING
    st.integers(0, 12),  # when it is created
)


def _snapshot(specs, now, id_offset):
    """The study at time ``now``: trials created by then, finished if due."""
    trials = []
    for spec in sorted(specs, key=lambda s: s[3]):
        reports, final, done, created = spec
        if created > now:
            break
        values = dict(reports)
        state = TrialState[final] if done <= now or final == "WAITING" else TrialState.RUNNING
        if state == TrialState.WAITING:
            values = {}
        if state == TrialState.RUNNING and done > now:
            # A running trial has reported only the steps it reached by now.
            values = {s: v for s, v in values.items() if s <= 3 * (now - created)}
        number = len(trials)
        trials.append(
            FrozenTrial(
                number=number,
                state=state,
                values=(0.0,) if state == TrialState.COMPLETE else None,
                params={},
                distributions={},
                intermediate_values=values,
                datetime_start=_T0 + datetime.timedelta(seconds=created, microseconds=id_offset),
                trial_id=number + id_offset,
            )
        )
    return trials


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    studies=st.lists(st.lists(_trial, min_size=1, max_size=14), min_size=1, max_size=2),
    sign=st.sampled_from([1.0, -1.0]),
    eta=st.integers(2, 4),
    bootstrap_count=st.integers(0, 2),
    member_mod=st.sampled_from([None, 2]),
    decisions=st.lists(st.tuples(st.integers(0, 12), st.integers(0, 20), st.integers(1, 9))),
)
def test_matches_the_definition(studies, sign, eta, bootstrap_count, member_mod, decisions):
    """One index follows a study as trials appear and finish (and a second study of the
    same name after it); each decision equals the rule applied to all trials."""
    member = None if member_mod is None else (lambda n: n % member_mod == 0)
    index = RungIndex(sign, member)
    for offset, specs in enumerate(studies):
        for now, pick, rung_step in sorted(decisions):
            trials = _snapshot(specs, now, 1000 * offset)
            own = [
                t for t in trials
                if t.state == TrialState.RUNNING and t.intermediate_values
                and (member is None or member(t.number))
            ]
            if not own:
                continue
            trial = own[pick % len(own)]
            last = trial.last_step
            if rung_step > last:
                continue
            group = trials if member is None else [t for t in trials if member(t.number)]
            expected = _reference(group, trial, sign, rung_step, eta, bootstrap_count, last)
            got = index.prunes(trials, trial, rung_step, eta, bootstrap_count, last)
            assert got == expected


def _objective(trial):
    x = trial.suggest_float("x", 0.0, 1.0)
    for step in range(1, 28):
        trial.report(x + 1 / step, step)
        if trial.should_prune():
            raise ahpo.TrialPruned()
    return x


def test_pruners_pickle_without_their_indexes_and_decide_alike():
    for pruner in (
        ahpo.pruners.SuccessiveHalvingPruner(1, 3),
        ahpo.pruners.HyperbandPruner(1, 27, 3),
    ):
        study = ahpo.create_study(pruner=pruner, sampler=ahpo.samplers.RandomSampler(seed=0))
        study.optimize(_objective, n_trials=40)
        copy = pickle.loads(pickle.dumps(pruner))
        again = ahpo.create_study(pruner=copy, sampler=ahpo.samplers.RandomSampler(seed=0))
        again.optimize(_objective, n_trials=40)
        assert [t.state for t in again.trials] == [t.state for t in study.trials]
