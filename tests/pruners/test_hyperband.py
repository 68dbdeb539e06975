import collections
import json
import os
import subprocess
import sys

import pytest

import ahpo
from ahpo import TrialState
from ahpo.pruners import HyperbandPruner, SuccessiveHalvingPruner

from ._history import add, running, study_with, verdict

CONFIGS = [(1, 27, 3), (1, 81, 3), (1, 100, 2), (2, 1000, 4), (5, 5, 3)]


def _budgets(pruner):
    """Hyperband's n_i = ceil(n_brackets * eta**s / (s + 1)), s = n_brackets - 1 - b."""
    n, eta = pruner.n_brackets(), pruner._reduction_factor
    return [-(-(n * eta ** (n - 1 - b)) // (n - b)) for b in range(n)]


@pytest.mark.parametrize(
    ("args", "n_brackets", "budgets"),
    [
        ((1, 27, 3), 4, [27, 12, 6, 4]),  # ceil(4*27/4), ceil(4*9/3), ceil(4*3/2), 4
        ((1, 9, 3), 3, [9, 5, 3]),  # 3*9/3, ceil(3*3/2), 3
        ((2, 17, 2), 4, [8, 6, 4, 4]),  # 2*2**3 = 16 <= 17 < 32
        ((1, 243, 3), 6, [243, 98, 41, 18, 9, 6]),  # exact: math.log(243, 3) < 5
        ((5, 5, 3), 1, [1]),
    ],
)
def test_number_of_brackets_and_budgets(args, n_brackets, budgets):
    pruner = HyperbandPruner(*args)
    assert pruner.n_brackets() == n_brackets
    assert _budgets(pruner) == budgets


def test_bracket_assignment_is_pinned():
    # Workers of different versions must agree: changing this is a breaking change.
    sequential = HyperbandPruner(1, 27, 3)  # one iteration: 27 + 12 + 6 + 4 trials
    assert [sequential.bracket_of(i) for i in range(100)] == 2 * (
        [0] * 27 + [1] * 12 + [2] * 6 + [3] * 4
    ) + [0, 0]
    interleaved = HyperbandPruner(1, 27, 3, bracket_order="interleaved")
    assert [interleaved.bracket_of(i) for i in range(20)] == [
        0, 1, 0, 2, 0, 0, 1, 0, 3, 1, 0, 2, 0, 0, 1, 0, 2, 0, 0, 1,
    ]  # fmt: skip


_CHILD = """
import json, sys
from ahpo.pruners import HyperbandPruner
configs = json.loads(sys.argv[1])
print(json.dumps([
    [HyperbandPruner(*c, bracket_order=o).bracket_of(i) for i in range(3000)]
    for c in configs for o in ("sequential", "interleaved")
]))
"""


def test_bracket_assignment_is_identical_across_processes():
    here = [
        [HyperbandPruner(*c, bracket_order=o).bracket_of(i) for i in range(3000)]
        for c in CONFIGS
        for o in ("sequential", "interleaved")
    ]
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, json.dumps(CONFIGS)],
            env=env, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        assert json.loads(out) == here


@pytest.mark.parametrize("args", CONFIGS)
def test_sequential_brackets_run_in_hyperband_order(args):
    # Li et al.'s Algorithm 1: the most aggressive bracket first, each iteration alike.
    pruner = HyperbandPruner(*args)
    budgets = _budgets(pruner)
    iteration = [b for b, budget in enumerate(budgets) for _ in range(budget)]
    total = len(iteration)
    assert [pruner.bracket_of(i) for i in range(3 * total)] == 3 * iteration


@pytest.mark.parametrize("args", CONFIGS)
def test_interleaved_bracket_frequencies_follow_the_budgets(args):
    pruner = HyperbandPruner(*args, bracket_order="interleaved")
    budgets = _budgets(pruner)
    total = sum(budgets)
    brackets = [pruner.bracket_of(i) for i in range(max(7 * total, 5000))]
    for n in (total, 3 * total, 7 * total, 5000):
        counts = collections.Counter(brackets[:n])
        for b, budget in enumerate(budgets):
            # Low discrepancy: every prefix is within 3 trials of the exact share.
            assert abs(counts[b] - n * budget / total) <= 3, (n, b)


def _pad_to(study, number):
    """Add FAIL trials (which never compete) until the next trial gets ``number``."""
    while len(study.trials) < number:
        add(study, {}, TrialState.FAIL)


def test_trials_compete_only_within_their_bracket():
    pruner = HyperbandPruner(1, 9, 3)
    brackets = [pruner.bracket_of(i) for i in range(60)]
    target = next(i for i in range(20, 60) if brackets[i] == 0)
    studies = {}
    for name, p in [("hyperband", pruner), ("asha", SuccessiveHalvingPruner(1, 3))]:
        study = study_with(p)
        for i in range(20):  # bracket 0 did badly, the others well
            add(study, dict.fromkeys(range(10), 10.0 if brackets[i] == 0 else 0.0))
        _pad_to(study, target)
        studies[name] = study
    assert verdict(studies["hyperband"], {0: 5.0, 1: 5.0}) is False
    assert verdict(studies["asha"], {0: 5.0, 1: 5.0}) is True
    _pad_to(studies["hyperband"], next(i for i in range(target + 1, 60) if brackets[i] == 0))
    assert verdict(studies["hyperband"], {0: 11.0, 1: 11.0}) is True


def test_bracket_b_first_decides_at_min_resource_times_eta_to_the_b():
    pruner = HyperbandPruner(1, 9, 3)
    study = study_with(pruner, "maximize")
    for _ in range(30):
        add(study, dict.fromkeys(range(10), 1.0))
    stopped_at = {}  # bracket -> step where its worse-than-all trials stop, None: never
    while len(stopped_at) < 3:
        number = len(study.trials)
        trial = study.ask()
        step_pruned = None
        for step in range(10):
            trial.report(0.0, step)
            if trial.should_prune():
                step_pruned = step
                break
        stopped_at.setdefault(pruner.bracket_of(number), step_pruned)
        study.tell(trial, state=TrialState.PRUNED)
    # Bracket 2's only rung is at max_resource = 9: its trials always run to the end.
    assert stopped_at == {0: 1, 1: 3, 2: None}
    assert all(t.system_attrs == {} for t in study.trials)


@pytest.mark.parametrize(("bracket", "rungs_below_r"), [(0, [1, 3]), (1, [3]), (2, [])])
def test_a_trial_that_reached_max_resource_is_not_pruned(bracket, rungs_below_r):
    # Worst at R (step 9) after good values below it: not pruned. Worst at a rung
    # below R: pruned (bracket 2 has no such rung; its trials always run to the end).
    pruner = HyperbandPruner(1, 9, 3)
    study = study_with(pruner)
    numbers = iter(i for i in range(30, 300) if pruner.bracket_of(i) == bracket)
    for _ in range(30):
        add(study, dict.fromkeys(range(1, 10), 0.0))
    _pad_to(study, next(numbers))
    assert verdict(study, {**dict.fromkeys(rungs_below_r, 0.0), 9: 5.0}) is False
    for rung in rungs_below_r:
        _pad_to(study, next(numbers))
        assert verdict(study, {rung: 5.0}) is True


def test_auto_max_resource_is_not_pruned_at_r_or_beyond():
    pruner = HyperbandPruner()  # R = last step of the first completed trial + 1
    study = study_with(pruner)
    add(study, {s: 0.0 for s in range(1, 27)})  # R = 27
    for _ in range(30):
        add(study, {s: 0.0 for s in range(1, 30)})
    numbers = [i for i in range(200) if pruner.bracket_of(i, study.view) == 0]
    _pad_to(study, next(n for n in numbers if n >= len(study.trials)))
    trial = running(study, {**{s: 0.0 for s in range(1, 27)}, 27: 9.0})  # the rung at R
    assert trial.should_prune() is False
    trial.report(9.0, 28)
    assert trial.should_prune() is False
    _pad_to(study, next(n for n in numbers if n > len(study.trials)))
    assert verdict(study, {s: 9.0 if s == 9 else 0.0 for s in range(1, 10)}) is True


def test_auto_max_resource():
    pruner = HyperbandPruner()  # min_resource=1, max_resource="auto", eta=3
    study = study_with(pruner)
    assert pruner.n_brackets(study.view) is None
    with pytest.raises(RuntimeError, match="not known yet"):
        pruner.bracket_of(0, study.view)
    with pytest.raises(ValueError, match="'view' parameter"):
        pruner.bracket_of(0)
    assert verdict(study, dict.fromkeys(range(30), 1e9)) is False
    add(study, dict.fromkeys(range(27), 1.0))  # first to complete: last step 26 -> R = 27
    add(study, dict.fromkeys(range(500), 1.0))
    fixed = HyperbandPruner(1, 27, 3)
    assert pruner.n_brackets(study.view) == 4
    assert [pruner.bracket_of(i, study.view) for i in range(100)] == [
        fixed.bracket_of(i) for i in range(100)
    ]


@pytest.mark.parametrize(
    ("kwargs", "error", "param"),
    [
        ({"min_resource": 0}, ValueError, "min_resource"),
        ({"min_resource": "auto"}, TypeError, "min_resource"),
        ({"min_resource": 5, "max_resource": 4}, ValueError, "max_resource"),
        ({"max_resource": "big"}, ValueError, "max_resource"),
        ({"max_resource": 9.0}, TypeError, "max_resource"),
        ({"reduction_factor": 1}, ValueError, "reduction_factor"),
        ({"max_resource": 9, "bootstrap_count": -1}, ValueError, "bootstrap_count"),
        ({"bootstrap_count": 2}, ValueError, "bootstrap_count"),  # with "auto"
        ({"bracket_order": "random"}, ValueError, "bracket_order"),
    ],
)
def test_validation(kwargs, error, param):
    with pytest.raises(error, match=f"'{param}' parameter of HyperbandPruner"):
        HyperbandPruner(**kwargs)


def test_bracket_of_validates_the_number():
    with pytest.raises(ValueError, match="'trial_number' parameter"):
        HyperbandPruner(1, 9).bracket_of(-1)
    with pytest.raises(TypeError, match="'trial_number' parameter"):
        HyperbandPruner(1, 9).bracket_of(1.0)


def test_exported():
    assert ahpo.pruners.HyperbandPruner is HyperbandPruner
