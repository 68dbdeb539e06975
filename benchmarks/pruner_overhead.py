"""Pruner overhead per trial: ahpo against Optuna, side by side in one run.

Each trial suggests one float and reports a learning curve of ``STEPS`` steps, asking
``should_prune`` after every report, so the time measured is the framework's and the
pruner's. The curve depends on the trial number only (not on the sampler's draw), so
both libraries report the same values: their median, percentile and successive-halving
pruners then prune exactly the same trials and run the same steps (the table shows the
steps run), while Hyperband assigns brackets differently by design. Random sampler on
both sides, logging silenced, a fresh in-memory study per run after an untimed warm-up
run; median and min–max over ``--repeats`` runs, alternating the libraries.

Usage::

    python -m benchmarks.pruner_overhead                 # all cases, report on stdout
    python -m benchmarks.pruner_overhead --repeats 5 --cases asha-5000
    python -m benchmarks.pruner_overhead --output docs/benchmarks/pruner_overhead.md

Needs Optuna: ``pip install 'ahpo[bench]'``.
"""

from __future__ import annotations

import gc
import logging
import shlex
import sys
import time
from collections.abc import Callable
from typing import Any

import ahpo
from benchmarks.overhead import (
    Timing,
    import_optuna,
    load_average,
    parse_args,
    provenance,
    publish,
)

#: Steps per trial; rungs of successive halving at 1, 3, 9 (and 27: the last step).
STEPS = 27
#: Golden-ratio fractions: trial ``n`` gets ``x = frac(n * phi)``, spread evenly.
_PHI = 0.6180339887498949

#: name -> (pruner maker taking the library's ``pruners`` module, trials per run)
PRUNERS: dict[str, Callable[[Any], Any]] = {
    "median": lambda p: p.MedianPruner(n_startup_trials=5),
    "percentile": lambda p: p.PercentilePruner(25.0, n_startup_trials=5),
    "asha": lambda p: p.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3),
    "hyperband": lambda p: p.HyperbandPruner(1, STEPS, 3),
}
SIZES = (1_000, 5_000)
CASES = {f"{name}-{n}": (name, n) for name in PRUNERS for n in SIZES}
LIBRARIES = ("ahpo", "optuna")
WARMUP_TRIALS = 50
#: ahpo's per-trial time must be <= this x Optuna's in every case.
RATIO_TARGET = 1.0


def curve(number: int, step: int) -> float:
    """The loss of trial ``number`` after ``step`` steps: ``x + 1 / step``."""
    x = (number * _PHI) % 1.0
    return x + 1.0 / step


def run(library: str, pruner: str, n_trials: int, optuna: Any) -> tuple[float, int]:
    """Seconds per trial and steps run of one ``optimize`` on a fresh in-memory study."""
    lib = ahpo if library == "ahpo" else optuna
    study = lib.create_study(
        sampler=lib.samplers.RandomSampler(seed=0), pruner=PRUNERS[pruner](lib.pruners)
    )
    pruned = lib.TrialPruned

    def objective(trial: Any) -> float:
        trial.suggest_float("x", 0.0, 1.0)
        for step in range(1, STEPS + 1):
            trial.report(curve(trial.number, step), step)
            if trial.should_prune():
                raise pruned()
        return curve(trial.number, STEPS)

    gc.collect()
    start = time.perf_counter()
    study.optimize(objective, n_trials=n_trials)
    elapsed = time.perf_counter() - start
    steps = sum(len(t.intermediate_values) for t in study.trials)
    return elapsed / n_trials, steps


def measure(
    cases: list[str], repeats: int, optuna: Any, log: Callable[[str], None]
) -> dict[str, dict[str, tuple[Timing, int]]]:
    """Time every case ``repeats`` times per library, alternating the libraries."""
    results: dict[str, dict[str, tuple[Timing, int]]] = {}
    for case in cases:
        pruner, n_trials = CASES[case]
        runs: dict[str, list[float]] = {lib: [] for lib in LIBRARIES}
        steps: dict[str, int] = {}
        for library in LIBRARIES:
            run(library, pruner, WARMUP_TRIALS, optuna)
        for repeat in range(repeats):
            for library in LIBRARIES:
                seconds, steps[library] = run(library, pruner, n_trials, optuna)
                runs[library].append(seconds * 1e6)
                log(f"{case:>16}  {library:<6}  run {repeat + 1}/{repeats}: "
                    f"{seconds * 1e6:,.0f} µs/trial, {steps[library]} steps")
        results[case] = {lib: (Timing(tuple(runs[lib])), steps[lib]) for lib in LIBRARIES}
    return results


def report(
    results: dict[str, dict[str, tuple[Timing, int]]],
    command: str,
    repeats: int,
    load_before: str,
) -> str:
    """The results as a markdown page, with PASS/FAIL for the ratio target."""
    out = [
        "# Pruner overhead: ahpo vs Optuna",
        "",
        f"Time per trial of `study.optimize` where each trial reports {STEPS} steps and "
        "asks `should_prune` after each; the curve depends on the trial number only, so "
        "both libraries see the same values (median, percentile and successive halving "
        "then run the same steps). Random sampler, in memory, a fresh study per run "
        f"after an untimed warm-up. Median and min–max over {repeats} run(s) per library, "
        "in microseconds per trial; lower is better.",
        "",
        *provenance(command, load_before),
        "",
        "| case | ahpo µs/trial (min–max) | Optuna µs/trial (min–max) | ahpo / Optuna "
        "| steps run (ahpo / Optuna) |",
        "|---|---:|---:|---:|---:|",
    ]
    verdicts = []
    for case, timing in results.items():
        (a, a_steps), (o, o_steps) = timing["ahpo"], timing["optuna"]
        ratio = a.median / o.median
        out.append(
            f"| {case} | {a.median:,.0f} ({a.spread()}) | {o.median:,.0f} ({o.spread()}) "
            f"| {ratio:.2f} | {a_steps:,} / {o_steps:,} |"
        )
        verdict = "PASS" if ratio <= RATIO_TARGET else "FAIL"
        verdicts.append(f"- {verdict}: {case}, ahpo <= {RATIO_TARGET}x Optuna "
                        f"(measured {ratio:.2f}x)")
    out += ["", "## Targets", "", *verdicts, ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv, tuple(CASES), __doc__)
    optuna = import_optuna()
    logging.getLogger("ahpo").setLevel(logging.WARNING)
    load_before = load_average()
    results = measure(args.cases, args.repeats, optuna, lambda m: print(m, file=sys.stderr))
    command = shlex.join(["python", "-m", "benchmarks.pruner_overhead", *sys.argv[1:]])
    publish(report(results, command, args.repeats, load_before), args.output)


if __name__ == "__main__":
    main()
