"""From run traces to the markdown report and the plot.

The reference is no-pruning random search: its *target* on a task is the median,
over seeds, of the best final loss it reached with the whole budget. For every method
and seed, the *resource fraction* is the resource (steps summed over all trials) spent
when its best final loss first reached the target, divided by the budget. A run that
never reached it is censored: it counts as its total resource, shown with ``>``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

Result = Mapping[str, Any]


def target(results: Sequence[Result], task: str, reference: str = "random") -> float:
    """Median over seeds of the reference method's best final loss on ``task``."""
    finals = [r["trace"][-1][1] for r in results if r["task"] == task and r["method"] == reference]
    return float(statistics.median(finals))


def fraction(result: Result, goal: float) -> tuple[float, bool]:
    """``(resource fraction, reached)`` of one run for the target loss ``goal``."""
    for spent, best in result["trace"]:
        if best <= goal:
            return spent / result["budget"], True
    return result["trace"][-1][0] / result["budget"], False


def summarize(results: Sequence[Result], reference: str = "random") -> dict[str, dict[str, Any]]:
    """Per task and method: fractions over seeds, their median, mean, spread, reached count."""
    out: dict[str, dict[str, Any]] = {}
    for task in dict.fromkeys(r["task"] for r in results):
        goal = target(results, task, reference)
        rows: dict[str, Any] = {"_target": goal}
        for method in dict.fromkeys(r["method"] for r in results if r["task"] == task):
            runs = [r for r in results if r["task"] == task and r["method"] == method]
            pairs = [fraction(r, goal) for r in runs]
            fracs = [f for f, _ in pairs]
            rows[method] = {
                "fractions": fracs,
                "reached": sum(ok for _, ok in pairs),
                "n": len(pairs),
                "median": float(np.median(fracs)),
                "mean": float(np.mean(fracs)),
                "q25": float(np.quantile(fracs, 0.25)),
                "q75": float(np.quantile(fracs, 0.75)),
                "final": float(np.median([r["trace"][-1][1] for r in runs])),
                "trials": float(np.mean([r["n_trials"] for r in runs])),
                "wall": float(np.mean([r["wall_seconds"] for r in runs])),
                # traces stored before repeat_steps was recorded have none
                "repeats": (
                    float(np.mean([r["repeat_steps"] / r["trace"][-1][0] for r in runs]))
                    if all("repeat_steps" in r for r in runs)
                    else math.nan
                ),
            }
        out[task] = rows
    return out


def _fmt(value: float, censored: bool) -> str:
    return (">" if censored else "") + f"{value:.3f}"


def _share(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.0%}"


def tables(summary: Mapping[str, Mapping[str, Any]], descriptions: Mapping[str, str]) -> str:
    """One markdown table per task.

    *on repeats*: the share of a run's resource spent on trials whose configuration
    an earlier trial of the run already had (mean over seeds).
    """
    lines: list[str] = []
    for task, rows in summary.items():
        lines += [
            f"### {task}",
            "",
            f"{descriptions.get(task, '')}; target (random's median final loss): "
            f"{rows['_target']:.4g}",
            "",
            "| method | reached | median fraction | mean fraction | IQR | min–max "
            "| median final loss | trials/run | on repeats | s/run |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for method, row in rows.items():
            if method.startswith("_"):
                continue
            fracs = row["fractions"]
            censored = row["reached"] < row["n"]
            median_censored = row["reached"] < (row["n"] + 1) / 2
            lines.append(
                f"| {method} | {row['reached']}/{row['n']} "
                f"| {_fmt(row['median'], median_censored)} | {_fmt(row['mean'], censored)} "
                f"| {row['q25']:.3f}–{row['q75']:.3f} | {min(fracs):.3f}–{max(fracs):.3f} "
                f"| {row['final']:.4g} | {row['trials']:.0f} | {_share(row['repeats'])} "
                f"| {row['wall']:.1f} |"
            )
        lines.append("")
    return "\n".join(lines)


def checks(summary: Mapping[str, Mapping[str, Any]]) -> str:
    """The targets of the issue, checked per task on the median resource fraction.

    ``inf``: the method reached the target in fewer than half of its runs, so its median
    is censored; a comparison of two such methods is reported as ``neither``. Each
    comparison gives ``p``, the two-sided Mann-Whitney U test of the two methods'
    per-seed fractions: a run that missed the target counts with its total resource,
    at least the fraction of any run that reached it, so the ranks stay right. A cell
    whose methods did not all run reads ``not run``.
    """

    def median(task: str, method: str) -> float:
        row = summary[task].get(method)
        if row is None or row["reached"] < (row["n"] + 1) / 2:
            return math.inf
        return float(row["median"])

    def quarter(task: str, method: str) -> str:
        if method not in summary[task]:
            return "not run"
        m = median(task, method)
        return f"{m:.3f} {'yes' if m <= 0.25 else 'no'}"

    def versus(task: str, ours: str, theirs: str, strict: bool) -> str:
        if ours not in summary[task] or theirs not in summary[task]:
            return "not run"
        a, b = median(task, ours), median(task, theirs)
        p = _p_value(summary[task].get(ours), summary[task].get(theirs))
        if math.isinf(a) and math.isinf(b):
            return f"{a:.3f} vs {b:.3f} neither{p}"
        ok = a < b if strict else a <= b
        return f"{a:.3f} vs {b:.3f} {'yes' if ok else 'no'}{p}"

    lines = [
        "| task | ASHA <= 1/4 | Hyperband <= 1/4 | BOHB < Hyperband+random "
        "| BOHB-GP < Hyperband+random | ahpo ASHA <= Optuna ASHA "
        "| ahpo HB+random <= Optuna HB+random | ahpo HB+TPE <= Optuna HB+TPE |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for task in summary:
        cells = [
            quarter(task, "asha+random"),
            quarter(task, "hyperband+random"),
            versus(task, "bohb", "hyperband+random", strict=True),
            versus(task, "bohb-gp", "hyperband+random", strict=True),
        ]
        for ours, theirs in (
            ("asha+random", "optuna-asha+random"),
            ("hyperband+random", "optuna-hyperband+random"),
            ("hyperband+tpe", "optuna-hyperband+tpe"),
        ):
            cells.append(versus(task, ours, theirs, strict=False))
        lines.append(f"| {task} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


#: (ahpo, Optuna) rows run on the same configurations (``methods.SHARED_DRAWS``).
PAIRED = (
    ("asha+shared", "optuna-asha+shared"),
    ("hyperband+shared", "optuna-hyperband+shared"),
)


def paired(results: Sequence[Result], reference: str = "random") -> str:
    """ahpo against Optuna on common random numbers, seed by seed; empty without them.

    Both rows of a pair saw the same configurations in the same order, so their runs
    are compared per seed: the median fractions, how many seeds each needed less
    resource on, and the two-sided Wilcoxon signed-rank p over the seeds (``–`` when
    every seed is a tie).
    """
    from scipy.stats import wilcoxon

    lines = [
        "| task | pair | median fraction (ahpo / Optuna) | seeds ahpo less / equal / more "
        "| Wilcoxon p |",
        "|---|---|---|---|---|",
    ]
    for task in dict.fromkeys(r["task"] for r in results):
        goal = target(results, task, reference)
        for ours, theirs in PAIRED:
            by_seed = {
                name: {
                    r["seed"]: fraction(r, goal)[0]
                    for r in results
                    if r["task"] == task and r["method"] == name
                }
                for name in (ours, theirs)
            }
            seeds = sorted(set(by_seed[ours]) & set(by_seed[theirs]))
            if not seeds:
                continue
            a = np.array([by_seed[ours][s] for s in seeds])
            b = np.array([by_seed[theirs][s] for s in seeds])
            p = "–" if np.all(a == b) else f"{wilcoxon(a, b).pvalue:.2f}"
            lines.append(
                f"| {task} | `{ours}` / `{theirs}` | {np.median(a):.3f} / {np.median(b):.3f} "
                f"| {int(np.sum(a < b))} / {int(np.sum(a == b))} / {int(np.sum(a > b))} "
                f"| {p} |"
            )
    return "\n".join(lines) if len(lines) > 2 else ""


def _p_value(ours: Mapping[str, Any] | None, theirs: Mapping[str, Any] | None) -> str:
    """`` (p 0.12)``: two-sided Mann-Whitney U on the fractions; empty if one is missing."""
    if not ours or not theirs or min(ours["n"], theirs["n"]) < 2:
        return ""
    from scipy.stats import mannwhitneyu

    p = mannwhitneyu(ours["fractions"], theirs["fractions"], alternative="two-sided").pvalue
    return f" (p {p:.2f})"


def plot(results: Sequence[Result], path: str) -> None:
    """Median best final loss against resource spent, one panel per task."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tasks = list(dict.fromkeys(r["task"] for r in results))
    methods = list(dict.fromkeys(r["method"] for r in results))
    fig, axes = plt.subplots(1, len(tasks), figsize=(4.2 * len(tasks), 3.6), squeeze=False)
    for ax, task in zip(axes[0], tasks, strict=True):
        budget = max(r["budget"] for r in results if r["task"] == task)
        grid = np.linspace(budget / 100, budget, 200)
        for method in methods:
            runs = [r for r in results if r["task"] == task and r["method"] == method]
            if not runs:
                continue
            curves = []
            for r in runs:
                spent = np.array([p[0] for p in r["trace"]])
                best = np.array([p[1] for p in r["trace"]])
                idx = np.searchsorted(spent, grid, side="right") - 1
                curves.append(np.where(idx >= 0, best[np.maximum(idx, 0)], np.inf))
            i = methods.index(method)
            ax.plot(
                grid / budget,
                np.median(np.array(curves), axis=0),
                label=method,
                color=f"C{i % 10}",
                ls=("-", "--", ":")[i // 10 % 3],
            )
        ax.axhline(target(results, task), color="grey", lw=0.8, ls=":")
        ax.set_title(task)
        ax.set_xscale("log")
        ax.set_xlabel("resource / budget")
        finite = [p[1] for r in results if r["task"] == task for p in r["trace"]]
        finite = [v for v in finite if math.isfinite(v)]
        low, high = min(finite), float(np.quantile(finite, 0.9))
        ax.set_ylim(low - 0.05 * (high - low), high)
    axes[0][0].set_ylabel("best final loss (median over seeds)")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="center right", fontsize=7)
    fig.tight_layout(rect=(0, 0, 0.86, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
