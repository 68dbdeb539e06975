"""ASHA replayed on sampled curves (benchmarks/multifidelity/asha_replay.py)."""

import math
import sys
from pathlib import Path

import numpy as np
import pytest

import ahpo

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.multifidelity import asha_replay  # noqa: E402

STEPS = 81


def _ranked(n, reverse_early=False, seed=0):
    """Curves of ``STEPS`` steps whose rank before the last step is the final rank's (or its
    reverse)."""
    finals = np.random.default_rng(seed).uniform(size=n)
    early = (1.0 - finals) if reverse_early else finals
    before = early[:, None] + np.linspace(2.0, 1.0, STEPS - 1)
    return np.column_stack([before, finals])


def _with_ahpo(curves, order, min_resource, reduction_factor):
    """``(row, steps run, complete)`` of each trial under ahpo's SuccessiveHalvingPruner,
    run as the multi-fidelity benchmark runs a trial (should_prune after every step)."""
    study = ahpo.create_study(
        pruner=ahpo.pruners.SuccessiveHalvingPruner(min_resource, reduction_factor)
    )
    out = []
    for row in order:
        study.enqueue_trial({"row": int(row)})
        trial = study.ask()
        row = trial.suggest_int("row", 0, len(curves) - 1)
        pruned = False
        for step in range(1, curves.shape[1] + 1):
            trial.report(float(curves[row, step - 1]), step)
            if trial.should_prune():
                pruned = True
                break
        if pruned:
            study.tell(trial, state=ahpo.TrialState.PRUNED)
        else:
            study.tell(trial, float(curves[row, -1]))
        out.append((row, step, not pruned))
    return out


def test_rungs_run_from_min_resource_by_the_reduction_factor_up_to_max_resource():
    assert asha_replay.rungs(1, 3, 81) == [1, 3, 9, 27, 81]
    assert asha_replay.rungs(5, 4, 81) == [5, 20, 80]
    assert asha_replay.rungs(27, 4, 81) == [27]


@pytest.mark.parametrize(("min_resource", "reduction_factor"), [(1, 3), (2, 2), (5, 4), (27, 3)])
def test_the_replay_stops_each_trial_where_ahpos_successive_halving_pruner_does(
    min_resource, reduction_factor
):
    # noisy crossing curves on a coarse grid of values, so rungs hold ties too
    rng = np.random.default_rng(min_resource * 10 + reduction_factor)
    n = 25
    start, end = rng.uniform(0.5, 1.0, size=n), rng.uniform(0.0, 0.5, size=n)
    t = np.arange(1, STEPS + 1) / STEPS
    curves = start[:, None] + (end - start)[:, None] * np.sqrt(t)
    curves = np.round(curves + rng.normal(0, 0.02, size=curves.shape), 2)
    order = rng.integers(n, size=90)
    replayed = list(asha_replay.trials(curves, order, min_resource, reduction_factor))
    assert replayed == _with_ahpo(curves, order, min_resource, reduction_factor)
    assert any(not complete for _, _, complete in replayed)
    if min_resource == 27:  # a rung at max_resource: trials ran every step yet were pruned
        assert any(ran == STEPS and not complete for _, ran, complete in replayed)


def test_a_run_spends_its_budget_and_never_reaches_a_goal_no_curve_reaches():
    curves = _ranked(50)
    rng = np.random.default_rng(0)
    assert asha_replay.fraction(curves, 1, 3, -1.0, 10 * STEPS, rng) == math.inf
    assert asha_replay.fraction(curves, None, 3, -1.0, 10 * STEPS, rng) == math.inf


def test_random_search_pays_whole_trials_until_one_reaches_the_goal():
    curves = _ranked(2, seed=1)
    goal = float(curves[:, -1].min())  # one of two rows reaches it
    runs = [
        asha_replay.fraction(curves, None, 3, goal, 100 * STEPS, np.random.default_rng(i))
        for i in range(2000)
    ]
    # geometric number of trials, p = 1/2: mean 2 trials of STEPS steps each
    assert np.mean(runs) == pytest.approx(2 / 100, rel=0.1)
    assert set(np.round(np.array(runs) * 100, 9)) <= set(range(1, 100))


def test_asha_beats_random_search_when_early_ranks_tell_the_truth_and_loses_when_they_lie():
    goal_share = 0.01
    truthful, lying = _ranked(2000), _ranked(2000, reverse_early=True)
    goal = float(np.quantile(truthful[:, -1], goal_share))
    rng = np.random.default_rng(0)
    truth = asha_replay.replay(truthful, goal, 47 * STEPS, 200, rng)
    lies = asha_replay.replay(lying, goal, 47 * STEPS, 200, rng)
    assert truth["r=1 eta=3"]["median"] < 0.25 * truth["random"]["median"]
    assert truth["r=1 eta=3"]["reached"] == 1.0
    assert lies["r=1 eta=3"]["reached"] < 0.1 < lies["random"]["reached"]
    assert set(truth) == {"random"} | {
        f"r={r} eta={eta}"
        for eta in asha_replay.REDUCTION_FACTORS
        for r in asha_replay.MIN_RESOURCES
    }
