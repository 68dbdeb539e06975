"""ASHA with random sampling replayed on sampled learning curves, for any setting.

The multi-fidelity benchmark runs one setting of ``SuccessiveHalvingPruner``
(min_resource 1, reduction_factor 3). Whether another setting would reach a task's
target with less resource is a question about the task's curves, not about a sampler,
so it is answered here without training anything: a replay draws configurations at
random from curves sampled once (``brackets.sample_curves``), runs each one step
after another as the benchmark does, and stops it at a rung by ahpo's promotion rule
(``pruners/_rungs.py``): with ``n`` trials at the rung so far, itself included, a trial
goes on if at most ``max(n // eta, 1) - 1`` of the others are strictly better. Trials
run one after another, so no rival is ever running; a rung at ``max_resource`` prunes
too (the benchmark asks ``should_prune`` after its last step), and a trial pruned there
ran every step but does not count as complete. ``tests/benchmarks`` checks the replay
against ``ahpo.pruners.SuccessiveHalvingPruner`` trial by trial.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Iterator

import numpy as np

#: The settings replayed: every reduction factor with every min_resource.
REDUCTION_FACTORS = (2, 3, 4)
MIN_RESOURCES = (1, 2, 3, 5, 9, 27)


def rungs(min_resource: int, reduction_factor: int, max_resource: int) -> list[int]:
    """Steps at which ASHA decides: ``min_resource * eta**k`` up to ``max_resource``."""
    out, step = [], min_resource
    while step <= max_resource:
        out.append(step)
        step *= reduction_factor
    return out


def trials(
    curves: np.ndarray, order: Iterable[int], min_resource: int, reduction_factor: int
) -> Iterator[tuple[int, int, bool]]:
    """``(row, steps run, complete)`` of each trial, the ``i``-th running row ``order[i]``.

    ``curves[c, t - 1]`` is configuration ``c``'s loss after step ``t``.
    """
    max_resource = curves.shape[1]
    steps = rungs(min_resource, reduction_factor, max_resource)
    seen: dict[int, list[float]] = {step: [] for step in steps}
    for row in order:
        ran, complete = max_resource, True
        for step in steps:
            value = float(curves[row, step - 1])
            keys = seen[step]
            better = bisect.bisect_left(keys, value)
            n = len(keys) + 1
            bisect.insort(keys, value)
            if better > max(n // reduction_factor - 1, 0):
                ran, complete = step, False
                break
        yield row, ran, complete


def _random_rows(n: int, rng: np.random.Generator) -> Iterator[int]:
    while True:
        yield from rng.integers(n, size=256).tolist()


def fraction(
    curves: np.ndarray,
    min_resource: int | None,
    reduction_factor: int,
    goal: float,
    budget: int,
    rng: np.random.Generator,
) -> float:
    """Resource one run had spent when a complete trial first reached ``goal``, / ``budget``.

    The run draws rows at random and starts trials until ``budget`` steps are spent;
    ``inf`` if it never reached ``goal``. ``min_resource=None`` is random search (no
    pruning).
    """
    rows = _random_rows(len(curves), rng)
    if min_resource is None:
        outcomes = ((row, curves.shape[1], True) for row in rows)
    else:
        outcomes = trials(curves, rows, min_resource, reduction_factor)
    spent = 0
    for row, ran, complete in outcomes:
        spent += ran
        if complete and curves[row, -1] <= goal:
            return spent / budget
        if spent >= budget:
            return math.inf
    raise AssertionError("unreachable: the row stream is endless")


def replay(
    curves: np.ndarray, goal: float, budget: int, replays: int, rng: np.random.Generator
) -> dict[str, dict[str, float]]:
    """Random search and every ASHA setting, each replayed ``replays`` times.

    Keys are ``"random"`` and ``"r=<min_resource> eta=<reduction_factor>"``; each value
    holds the ``median`` fraction (``inf`` when fewer than half the runs reached
    ``goal``) and the share of runs that ``reached`` it.
    """
    settings: list[tuple[str, int | None, int]] = [("random", None, 0)]
    settings += [
        (f"r={r} eta={eta}", r, eta)
        for eta in REDUCTION_FACTORS
        for r in MIN_RESOURCES
        if r < curves.shape[1]
    ]
    out = {}
    for name, r, eta in settings:
        runs = np.array([fraction(curves, r, eta, goal, budget, rng) for _ in range(replays)])
        out[name] = {"median": float(np.median(runs)), "reached": float(np.isfinite(runs).mean())}
    return out
