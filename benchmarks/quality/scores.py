"""Normalized scores, ranks and head-to-head counts from a results document.

Everything here is a pure function of the JSON document ``__main__`` writes, so a
report can be rebuilt with ``--from-json`` without running anything.

Normalized score of one run on one problem (losses: ``loss = sign * value``)::

    score = (median_random_loss - best_loss) / (median_random_loss - optimum_loss)

1 means the optimum was reached, 0 means as good as the median random-search run at the
same budget, negative means worse than that. ``median_random_loss`` pools the final
values of the random baselines in the run (``ahpo-random`` and ``optuna-random``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["BASELINES", "HeadToHead", "Scores", "compute", "head_to_head"]

BASELINES = ("ahpo-random", "optuna-random")


@dataclass
class Scores:
    """Scores of every optimizer on every problem of one run.

    ``per_seed[p][o]``: ``(n_seeds,)`` final normalized scores; ``curves[p][o]``:
    ``(n_seeds, budget)`` normalized best-so-far curves; ``mean``/``se``: mean and
    standard error over seeds (NaN when a problem cannot be normalized).
    """

    problems: list[str]
    optimizers: list[str]
    optimum: dict[str, float]
    optimum_source: dict[str, str]
    random_median: dict[str, float]
    per_seed: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    curves: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    mean: dict[str, dict[str, float]] = field(default_factory=dict)
    se: dict[str, dict[str, float]] = field(default_factory=dict)
    rank: dict[str, dict[str, float]] = field(default_factory=dict)

    def scored_problems(self) -> list[str]:
        """Problems whose random median is worse than the optimum (score defined)."""
        return [p for p in self.problems if math.isfinite(self.random_median_gap(p))]

    def random_median_gap(self, problem: str) -> float:
        gap = self.random_median[problem] - self.optimum[problem]
        return gap if gap > 0 else float("nan")

    @property
    def budget(self) -> int:
        return max((c.shape[1] for per in self.curves.values() for c in per.values()), default=0)

    def mean_score(self, optimizer: str, trial: int | None = None) -> float:
        """Mean over scored problems of the mean score over seeds.

        ``trial``: score the incumbent after that many trials instead of the last one.
        """
        if trial is None:
            vals = [self.mean[p][optimizer] for p in self.scored_problems()]
        else:
            vals = [
                float(np.mean(self.curves[p][optimizer][:, trial - 1]))
                for p in self.scored_problems()
                if optimizer in self.curves[p]
            ]
        vals = [v for v in vals if math.isfinite(v)]
        return float(np.mean(vals)) if vals else float("nan")

    def mean_rank(self, optimizer: str) -> float:
        vals = [self.rank[p].get(optimizer, float("nan")) for p in self.scored_problems()]
        vals = [v for v in vals if math.isfinite(v)]
        return float(np.mean(vals)) if vals else float("nan")


def _loss(problem: Mapping[str, Any], value: float) -> float:
    return value if problem["direction"] == "minimize" else -value


def compute(doc: Mapping[str, Any]) -> Scores:
    """Scores of the run in ``doc`` (the JSON results document)."""
    from scipy.stats import rankdata

    problems = list(doc["problems"])
    optimizers = [o for o, info in doc["optimizers"].items() if info.get("available", True)]
    finals: dict[str, dict[str, list[tuple[int, float]]]] = {p: {} for p in problems}
    curves: dict[str, dict[str, list[tuple[int, list[float]]]]] = {p: {} for p in problems}
    for res in doc["results"]:
        if res.get("error") or not res["curve"] or res["problem"] not in finals:
            continue
        info = doc["problems"][res["problem"]]
        losses = [_loss(info, v) for v in res["curve"]]
        finals[res["problem"]].setdefault(res["optimizer"], []).append((res["seed"], losses[-1]))
        curves[res["problem"]].setdefault(res["optimizer"], []).append((res["seed"], losses))

    optimum: dict[str, float] = {}
    source: dict[str, str] = {}
    random_median: dict[str, float] = {}
    for p in problems:
        info = doc["problems"][p]
        if info.get("optimum") is not None:
            optimum[p] = _loss(info, info["optimum"])
            source[p] = "known"
        else:
            best_run = min((v for vals in finals[p].values() for _, v in vals), default=math.inf)
            ref = info.get("reference")
            ref_loss = _loss(info, ref) if ref is not None else math.inf
            optimum[p] = min(best_run, ref_loss)
            source[p] = "reference.json" if ref_loss <= best_run else "best in this run"
        pool = [v for b in BASELINES for _, v in finals[p].get(b, [])]
        random_median[p] = float(np.median(pool)) if pool else float("nan")

    scores = Scores(problems, optimizers, optimum, source, random_median)
    for p in problems:
        gap = scores.random_median_gap(p)
        scores.per_seed[p], scores.curves[p] = {}, {}
        scores.mean[p], scores.se[p] = {}, {}
        for o in optimizers:
            runs = sorted(finals[p].get(o, []))
            if not runs:
                scores.mean[p][o] = scores.se[p][o] = float("nan")
                continue
            vals = np.array([(random_median[p] - v) / gap for _, v in runs])
            curve = np.array([c for _, c in sorted(curves[p][o])], dtype=float)
            scores.per_seed[p][o] = vals
            scores.curves[p][o] = (random_median[p] - curve) / gap
            scores.mean[p][o] = float(np.mean(vals))
            scores.se[p][o] = (
                float(np.std(vals, ddof=1) / math.sqrt(len(vals))) if len(vals) > 1 else 0.0
            )
        present = [o for o in optimizers if math.isfinite(scores.mean[p][o])]
        ranks = rankdata([-scores.mean[p][o] for o in present]) if present else []
        scores.rank[p] = dict(zip(present, (float(r) for r in ranks), strict=True))
    return scores


@dataclass
class HeadToHead:
    """``a`` against ``b`` over the problems both were scored on.

    ``clear_losses``: problems where ``a``'s mean is lower and a two-sided
    Mann–Whitney U test on the per-seed scores gives ``p < alpha``; each entry is
    ``(problem, mean_a - mean_b, p)``. ``losses_detail`` lists every loss the same way.
    """

    a: str
    b: str
    wins: int
    ties: int
    losses: int
    clear_wins: list[tuple[str, float, float]]
    clear_losses: list[tuple[str, float, float]]
    losses_detail: list[tuple[str, float, float]]

    @property
    def total(self) -> int:
        return self.wins + self.ties + self.losses


def head_to_head(scores: Scores, a: str, b: str, alpha: float = 0.05) -> HeadToHead:
    from scipy.stats import mannwhitneyu

    wins = ties = losses = 0
    clear_wins: list[tuple[str, float, float]] = []
    clear_losses: list[tuple[str, float, float]] = []
    detail: list[tuple[str, float, float]] = []
    for p in scores.scored_problems():
        ma, mb = scores.mean[p].get(a, math.nan), scores.mean[p].get(b, math.nan)
        if not (math.isfinite(ma) and math.isfinite(mb)):
            continue
        xa, xb = scores.per_seed[p][a], scores.per_seed[p][b]
        if len(xa) > 1 and len(xb) > 1 and not np.array_equal(np.sort(xa), np.sort(xb)):
            pval = float(mannwhitneyu(xa, xb, alternative="two-sided").pvalue)
        else:
            pval = 1.0
        diff = ma - mb
        if abs(diff) <= 1e-12:
            ties += 1
        elif diff > 0:
            wins += 1
            if pval < alpha:
                clear_wins.append((p, diff, pval))
        else:
            losses += 1
            detail.append((p, diff, pval))
            if pval < alpha:
                clear_losses.append((p, diff, pval))
    detail.sort(key=lambda t: t[1])
    clear_losses.sort(key=lambda t: t[1])
    return HeadToHead(a, b, wins, ties, losses, clear_wins, clear_losses, detail)


def overhead(doc: Mapping[str, Any], optimizers: Sequence[str]) -> dict[str, dict[str, float]]:
    """Per optimizer: median overhead per trial (ms), total wall and objective seconds."""
    out: dict[str, dict[str, float]] = {}
    for o in optimizers:
        rows = [r for r in doc["results"] if r["optimizer"] == o and not r.get("error")]
        if not rows:
            continue
        per_trial = [
            1000 * (r["wall_seconds"] - r["objective_seconds"]) / max(len(r["curve"]), 1)
            for r in rows
        ]
        out[o] = {
            "median_overhead_ms": float(np.median(per_trial)),
            "max_overhead_ms": float(np.max(per_trial)),
            "wall_seconds": float(sum(r["wall_seconds"] for r in rows)),
            "objective_seconds": float(sum(r["objective_seconds"] for r in rows)),
        }
    return out
