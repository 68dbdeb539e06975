"""How far each task's early losses can be trusted: Hyperband's brackets and ASHA's settings
replayed on sampled curves, with random sampling.

Sample the curves (minutes per task) and write the report::

    python -m benchmarks.multifidelity.brackets --configs 2000 --json /tmp/curves.json

Rebuild the report from stored curves, at the multi-fidelity page's targets::

    python -m benchmarks.multifidelity.brackets --from-json /tmp/curves.json \\
        --targets gbm-cancer=0.09992

``_METHOD`` (printed in the report) says what is measured and how.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import shlex
import sys
import warnings
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.multifidelity import asha_replay, tasks
from benchmarks.multifidelity.methods import MIN_RESOURCE, REDUCTION_FACTOR
from benchmarks.multifidelity.run import _git

_METHOD = (
    "For each task, distinct configurations are drawn at random and their losses read at "
    "every rung (1, 3, 9, 27, 81 steps). On these curves each Hyperband bracket with random "
    "sampling is replayed many times as Li et al.'s synchronous successive halving "
    "(Algorithm 1 with the benchmark's r = 1, eta = 3, R = 81): a replay draws the "
    "bracket's configurations from the sampled ones, keeps the best 1/eta at each rung, "
    "and succeeds when a configuration that ran all R steps reached the task's target. A "
    "bracket that succeeds with probability P at a cost of C steps needs about "
    "C / -log(1 - P) steps when replayed until it succeeds; random search, whose trials "
    "each reach the target with probability p, needs about R / -log(1 - p). Their ratio is "
    "the bracket's *fraction* of random search's resource, the quantity the benchmark's "
    "targets bound (1/4 for Hyperband and ASHA), here free of any sampler and of seed "
    "noise in the runs. Bracket s is successive halving from min_resource 3**(4 - s), so "
    "ASHA with that min_resource is its asynchronous counterpart. *Hyperband* pools one "
    "iteration of the five brackets (their steps and successes): what Hyperband with "
    "random sampling needs in the long run, whatever the order of its brackets (within a "
    "budget of two iterations, running the best bracket first reaches the target sooner)."
    "\n\nThe estimated target is the benchmark's definition computed on the sample: the "
    "median, over replays, of the best final loss of `--budget-trials` random "
    "configurations. A bootstrap over the sampled configurations gives each figure's "
    "spread."
    "\n\nEach section's second table replays ASHA itself (`asha_replay.py`): with random "
    "sampling, one trial after another, ahpo's promotion rule and the benchmark's budget, "
    "for every min_resource and reduction_factor listed, as the median over replays of "
    "the same fraction the benchmark reports (the resource a run had spent when it first "
    "reached the target, over the budget), with the share of runs that reached it; random "
    "search, replayed the same way, calibrates it against the benchmark's runs."
)

#: The rungs of the benchmark's setting, min_resource * eta**k up to max_resource:
#: 1, 3, 9, 27, 81.
RUNGS = tuple(
    MIN_RESOURCE * REDUCTION_FACTOR**k
    for k in range(round(math.log(tasks.MAX_RESOURCE / MIN_RESOURCE, REDUCTION_FACTOR)) + 1)
)
#: The brackets in Li et al.'s order, the most aggressive (s = s_max) first.
_BRACKETS = tuple(range(len(RUNGS) - 1, -1, -1))


def sample_curves(task: tasks.Task, n_configs: int, seed: int) -> np.ndarray:
    """Losses after every step of ``n_configs`` distinct random configurations, a row each."""
    import ahpo

    study = ahpo.create_study(sampler=ahpo.samplers.RandomSampler(seed=seed))
    seen: set[tasks.Config] = set()
    rows: list[list[float]] = []
    for _ in range(100 * n_configs):
        trial = study.ask()
        config = task.suggest(trial)
        study.tell(trial, 0.0)
        if config in seen:
            continue
        seen.add(config)
        loss_at = task.curve(config)
        rows.append([loss_at(step) for step in range(1, task.max_resource + 1)])
        if len(rows) == n_configs:
            return np.asarray(rows)
    raise ValueError(f"{task.name}: fewer than {n_configs} distinct configurations drawn")


def at_rungs(curves: np.ndarray) -> np.ndarray:
    """The columns of ``curves`` (one per step) at ``RUNGS``: the brackets' view."""
    return curves[:, [step - 1 for step in RUNGS]]


def bracket_plan(s: int, s_max: int, eta: int) -> list[int]:
    """How many configurations bracket ``s`` runs at each of its rungs (Li et al., Alg. 1)."""
    n = -(-(s_max + 1) * eta**s // (s + 1))  # ceil, in exact integer arithmetic
    return [n // eta**i for i in range(s + 1)]


def bracket_cost(s: int, s_max: int, eta: int) -> int:
    """Steps bracket ``s`` spends when a promoted trial continues (as the pruners do)."""
    plan = bracket_plan(s, s_max, eta)
    rungs = RUNGS[s_max - s :]
    previous = [0, *rungs[:-1]]
    return sum(n * (r - r0) for n, r, r0 in zip(plan, rungs, previous, strict=True))


def replay_bracket(
    curves: np.ndarray, s: int, goal: float, replays: int, rng: np.random.Generator
) -> float:
    """Share of ``replays`` of bracket ``s`` whose best final loss is at most ``goal``.

    ``curves`` has one column per rung; bracket ``s`` starts at column ``s_max - s``.
    """
    s_max = curves.shape[1] - 1
    plan = bracket_plan(s, s_max, REDUCTION_FACTOR)
    alive = rng.integers(len(curves), size=(replays, plan[0]))
    for i, n in enumerate(plan[1:]):
        losses = curves[alive, s_max - s + i]
        keep = np.argsort(losses, axis=1, kind="stable")[:, :n]
        alive = np.take_along_axis(alive, keep, axis=1)
    return float(np.mean(curves[alive, -1].min(axis=1) <= goal))


def random_target(
    curves: np.ndarray, budget_trials: int, replays: int, rng: np.random.Generator
) -> float:
    """Median over replays of the best final loss of ``budget_trials`` random rows."""
    draws = rng.integers(len(curves), size=(replays, budget_trials))
    return float(np.median(curves[draws, -1].min(axis=1)))


def _steps_to_reach(cost: float, success: float, replays: int) -> float:
    """``cost / -log(1 - success)``; a share of 1 counts as ``1 - 1 / (2 replays)``."""
    if success <= 0.0:
        return math.inf
    return cost / -math.log1p(-min(success, 1.0 - 0.5 / replays))


def fractions(
    curves: np.ndarray,
    budget_trials: int,
    replays: int,
    rng: np.random.Generator,
    target: float | None = None,
) -> dict[str, float]:
    """Target, share of rows reaching it, and each bracket's and Hyperband's fraction.

    Keys: ``target`` (``random_target`` unless given), ``p``, ``s4`` ... ``s0``
    (bracket fractions) and ``hyperband`` (one iteration of all brackets, their costs
    and successes pooled). With ``p == 0`` neither side ever reaches the target and the
    fractions are NaN.
    """
    s_max = curves.shape[1] - 1
    max_resource = RUNGS[s_max]
    goal = random_target(curves, budget_trials, replays, rng) if target is None else target
    p = float(np.mean(curves[:, -1] <= goal))
    random_steps = _steps_to_reach(max_resource, p, len(curves))
    out = {"target": goal, "p": p}
    total_cost, total_rate = 0.0, 0.0
    for s in range(s_max, -1, -1):
        cost = bracket_cost(s, s_max, REDUCTION_FACTOR)
        steps = _steps_to_reach(cost, replay_bracket(curves, s, goal, replays, rng), replays)
        out[f"s{s}"] = steps / random_steps
        total_cost += cost
        total_rate += cost / steps
    out["hyperband"] = (total_cost / total_rate if total_rate else math.inf) / random_steps
    return out


def rank_quantiles(curves: np.ndarray, goal: float) -> list[float]:
    """Median rank quantile (0 = best), at each rung below the last, of rows reaching ``goal``."""
    hits = curves[:, -1] <= goal
    ranks = curves[:, :-1].argsort(axis=0).argsort(axis=0) / len(curves)
    return [float(np.median(ranks[hits, j])) for j in range(curves.shape[1] - 1)]


def analyse(
    curves: np.ndarray,
    budget_trials: int,
    replays: int,
    bootstrap: int,
    seed: int,
    target: float | None = None,
    asha_replays: int = 0,
) -> dict[str, Any]:
    """``fractions`` and ASHA's replays on ``curves`` (a column per step), with spreads.

    ``fractions`` is computed on the rung columns and on bootstrap resamples of the
    rows, whose 5th/95th percentiles are its spread; a resample in which no
    configuration reaches a given ``target`` leaves its fractions undefined (NaN) and
    out of the percentiles. ``asha`` is ``asha_replay.replay`` at the same target with
    ``asha_replays`` runs per setting (empty for 0).
    """
    rng = np.random.default_rng(seed)
    full, curves = curves, at_rungs(curves)
    point = fractions(curves, budget_trials, replays, rng, target)
    resampled = [
        fractions(
            curves[rng.integers(len(curves), size=len(curves))], budget_trials, replays, rng, target
        )
        for _ in range(bootstrap)
    ]
    spread = {
        key: [
            float(np.nanquantile([r[key] for r in resampled], q, method="inverted_cdf"))
            for q in (0.05, 0.95)
        ]
        for key in point
    }
    return {
        "n": len(curves),
        "point": point,
        "spread": spread,
        "quantiles": rank_quantiles(curves, point["target"]),
        "hits": int(np.sum(curves[:, -1] <= point["target"])),
        "asha": asha_replay.replay(
            full, point["target"], budget_trials * full.shape[1], asha_replays, rng
        )
        if asha_replays
        else {},
    }


def _fmt(x: float) -> str:
    return "inf" if math.isinf(x) else f"{x:.2f}" if x < 100 else f"{x:.0f}"


def _table(analyses: dict[str, dict[str, Any]]) -> list[str]:
    s_max = _BRACKETS[0]
    header = [f"s={s} ({bracket_plan(s, s_max, REDUCTION_FACTOR)[0]} at r={RUNGS[s_max - s]})"
              for s in _BRACKETS]  # fmt: skip
    lines = [
        "| task | configurations | target | reaching it | their median rank quantile at "
        f"steps {', '.join(map(str, RUNGS[:-1]))} | " + " | ".join(header) + " | Hyperband |",
        "|---" * (6 + len(header)) + "|",
    ]
    for name, a in analyses.items():
        point, spread = a["point"], a["spread"]
        cells = [
            f"{_fmt(point[k])} ({_fmt(spread[k][0])}–{_fmt(spread[k][1])})"
            for k in [*(f"s{s}" for s in _BRACKETS), "hyperband"]
        ]
        quantiles = ", ".join(f"{q:.2f}" for q in a["quantiles"])
        lines.append(
            f"| {name} | {a['n']} | {point['target']:.4g} | {a['hits']} "
            f"({100 * point['p']:.2f} %) | {quantiles} | " + " | ".join(cells) + " |"
        )
    return lines


def render(
    sections: dict[str, dict[str, dict[str, Any]]], command: str, sources: list[str]
) -> str:
    """The markdown report: one table of ``analyse`` results per titled section.

    ``sources`` name the runs that sampled the curves (their command and commit).
    """
    costs = ", ".join(str(bracket_cost(s, _BRACKETS[0], REDUCTION_FACTOR)) for s in _BRACKETS)
    lines = [
        "# Multi-fidelity benchmark: how far early losses can be trusted",
        "",
        f"Produced by `{command}` on {_dt.date.today().isoformat()} "
        f"(python {sys.version.split()[0]}; scikit-learn {version('scikit-learn')}); "
        f"curves sampled by {', '.join(sources)}.",
        "",
        _METHOD,
        "",
        f"Bracket s halves s times from r = 3**(4 - s) steps; the brackets cost {costs} steps. "
        "Each bracket cell is its fraction of random search's resource (point estimate, "
        "then the 5th–95th bootstrap percentiles); below 1 the bracket beats random search. "
        "*Rank quantile*: 0 is the best loss at that step among the sampled configurations, "
        "1 the worst; a configuration survives bracket 4's rung at step 3**k only if it is "
        "about in the best 3**-(k+1) there.",
    ]
    for title, analyses in sections.items():
        lines += ["", f"## {title}", "", *_table(analyses), "", *_reading(analyses)]
        if any(a["asha"] for a in analyses.values()):
            lines += ["", *_asha_table(analyses), "", *_asha_reading(analyses)]
    return "\n".join(lines) + "\n"


def _asha_table(analyses: dict[str, dict[str, Any]]) -> list[str]:
    names = [name for name, a in analyses.items() if a["asha"]]
    settings = list(analyses[names[0]]["asha"])
    lines = [
        "ASHA replayed with random sampling: median fraction of the budget when the "
        "target was first reached (share of runs that reached it).",
        "",
        "| setting | " + " | ".join(names) + " |",
        "|---" * (1 + len(names)) + "|",
    ]
    for setting in settings:
        cells = [analyses[name]["asha"][setting] for name in names]
        lines.append(
            f"| {setting} | "
            + " | ".join(f"{_fmt(c['median'])} ({100 * c['reached']:.0f} %)" for c in cells)
            + " |"
        )
    return lines


def _asha_reading(analyses: dict[str, dict[str, Any]]) -> list[str]:
    """Per task, ASHA's best setting, the benchmark's, and whether any needs at most 1/4."""
    ours = f"r={MIN_RESOURCE} eta={REDUCTION_FACTOR}"
    lines = []
    for name, a in analyses.items():
        medians = {k: v["median"] for k, v in a["asha"].items() if k != "random"}
        if not medians:
            continue
        best = min(medians, key=medians.__getitem__)
        verdict = "1/4 is within reach" if medians[best] <= 0.25 else "no setting needs 1/4 or less"
        lines.append(
            f"- {name}: ASHA's best setting {best} ({_fmt(medians[best])}); the benchmark's "
            f"{ours} {_fmt(medians[ours])}; random search {_fmt(a['asha']['random']['median'])}; "
            f"{verdict}."
        )
    return lines


def _reading(analyses: dict[str, dict[str, Any]]) -> list[str]:
    """Per task, the best bracket and whether any bracket can need at most 1/4."""
    lines = []
    for name, a in analyses.items():
        point, spread = a["point"], a["spread"]
        best = min(_BRACKETS, key=lambda s: point[f"s{s}"])
        low = min(spread[f"s{s}"][0] for s in _BRACKETS)
        verdict = (
            "no bracket needs 1/4 or less, even at its 5th percentile"
            if low > 0.25
            else "1/4 is within reach"
        )
        lines.append(
            f"- {name}: best bracket s={best} ({_fmt(point[f's{best}'])}); Hyperband "
            f"{_fmt(point['hyperband'])}; {verdict}."
        )
    return lines


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.multifidelity.brackets",
        description="Hyperband's brackets with random sampling replayed on sampled curves.",
    )
    ap.add_argument("--configs", type=int, default=800, help="configurations per task")
    ap.add_argument("--tasks", default=",".join(tasks.TASKS), help="comma-separated tasks")
    ap.add_argument("--budget-trials", type=int, default=47, help="random search's trials")
    ap.add_argument("--replays", type=int, default=20_000, help="replays per bracket")
    ap.add_argument("--bootstrap", type=int, default=200, help="bootstrap resamples")
    ap.add_argument(
        "--asha-replays", type=int, default=1000, help="ASHA runs replayed per setting (0: none)"
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--output", default="docs/benchmarks/multifidelity-brackets.md")
    ap.add_argument("--json", default=None, help="also store the sampled curves here")
    ap.add_argument(
        "--from-json", default=None, help="curves stored by --json (comma-separated files)"
    )
    ap.add_argument(
        "--targets",
        default="",
        help="task=loss,... : targets to use instead of the one estimated from the curves",
    )
    return ap


def main(argv: Sequence[str] | None = None) -> None:
    """Sample (or load) the curves, analyse every task, write the report."""
    args = _parser().parse_args(argv)
    targets = {k: float(v) for k, v in (kv.split("=") for kv in args.targets.split(",") if kv)}
    command = "python -m benchmarks.multifidelity.brackets " + shlex.join(
        list(sys.argv[1:] if argv is None else argv)
    )
    if args.from_json:
        stored = [json.loads(Path(path).read_text()) for path in args.from_json.split(",")]
    else:
        from threadpoolctl import threadpool_limits

        warnings.simplefilter("ignore")  # scikit-learn convergence warnings
        with threadpool_limits(1):  # one core per task, as the benchmark's runs
            sampled = {
                name: sample_curves(tasks.TASKS[name], args.configs, args.seed).tolist()
                for name in args.tasks.split(",")
            }
        stored = [{"command": command, "git": _git(), "curves": sampled}]
        if args.json:
            Path(args.json).write_text(json.dumps(stored[0]))
    curves = {name: np.asarray(rows) for doc in stored for name, rows in doc["curves"].items()}
    for name, c in curves.items():
        if c.shape[1] != tasks.TASKS[name].max_resource:
            raise SystemExit(
                f"--from-json: {name}'s curves have {c.shape[1]} columns, not one per step "
                f"({tasks.TASKS[name].max_resource}); files stored before the ASHA replays "
                "held the rungs only: sample them again"
            )
    sources = [f"`{doc['command']}` (git {doc['git']})" for doc in stored]

    def analyse_all(given: dict[str, float]) -> dict[str, dict[str, Any]]:
        return {
            name: analyse(
                c,
                args.budget_trials,
                args.replays,
                args.bootstrap,
                args.seed,
                given.get(name),
                args.asha_replays,
            )
            for name, c in curves.items()
        }

    sections = {"Targets estimated from the curves (random search's median best)": analyse_all({})}
    if targets:
        sections["Targets given (`--targets`)"] = analyse_all(targets)
    Path(args.output).write_text(render(sections, command, sources))
    print(Path(args.output).read_text())


if __name__ == "__main__":
    main()
