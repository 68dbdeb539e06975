"""Sampler time per trial: ahpo's TPE against Optuna's, in memory, same objective.

The objective is trivial (4 floats, an int and a categorical), so the time per trial
is the sampler plus the framework. Reported: the mean time per trial over the last
100 of ``--trials`` trials (the cost at that history size), median and spread over
``--repeats`` runs, and the ratio ahpo / Optuna.

    python benchmarks/sampler_time.py --trials 1000 --repeats 3 \
        --output docs/benchmarks/sampler_time.md
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any


def _objective(trial: Any) -> float:
    xs = [trial.suggest_float(f"x{i}", -5, 5) for i in range(4)]
    n = trial.suggest_int("n", 0, 10)
    c = trial.suggest_categorical("c", ["a", "b", "c"])
    return sum(x * x for x in xs) + n + (c == "a")


def _late_ms_per_trial(make_study: Callable[[], Any], n_trials: int) -> float:
    stamps: list[float] = []
    study = make_study()
    study.optimize(
        _objective, n_trials=n_trials, callbacks=[lambda s, t: stamps.append(time.perf_counter())]
    )
    last = stamps[-100:]
    return (last[-1] - last[0]) / (len(last) - 1) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", default=None, help="markdown file (default: print)")
    args = parser.parse_args()
    try:
        import optuna
    except ImportError:
        raise SystemExit("Optuna is needed: pip install 'ahpo[bench]'") from None
    import ahpo

    warnings.filterwarnings("ignore")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    load_before = os.getloadavg()[0]
    runs: dict[str, list[float]] = {"ahpo": [], "optuna": []}
    for seed in range(args.repeats):  # alternate the libraries so drift hits both
        runs["ahpo"].append(_late_ms_per_trial(
            lambda s=seed: ahpo.create_study(sampler=ahpo.samplers.TPESampler(seed=s)), args.trials
        ))
        runs["optuna"].append(_late_ms_per_trial(
            lambda s=seed: optuna.create_study(sampler=optuna.samplers.TPESampler(seed=s)),
            args.trials,
        ))
    med = {k: statistics.median(v) for k, v in runs.items()}
    ratio = med["ahpo"] / med["optuna"]
    lines = [
        "# TPE sampler time per trial: ahpo vs Optuna",
        "",
        "```",
        f"python benchmarks/sampler_time.py --trials {args.trials} --repeats {args.repeats}"
        + (f" --output {args.output}" if args.output else ""),
        "```",
        "",
        f"- Python {platform.python_version()}, ahpo {ahpo.__version__}, "
        f"optuna {optuna.__version__}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- mean ms per trial over trials {args.trials - 99}–{args.trials}, in memory; "
        "median (min–max) over runs",
        f"- load average (1 min) before / after: {load_before:.2f} / {os.getloadavg()[0]:.2f} "
        f"on {os.cpu_count()} cores (other jobs slow both libraries, not always equally)",
        "",
        "| library | ms/trial | ratio |",
        "|---|---:|---:|",
        f"| ahpo TPESampler | {med['ahpo']:.2f} ({min(runs['ahpo']):.2f}–{max(runs['ahpo']):.2f})"
        f" | {ratio:.2f} |",
        f"| optuna TPESampler | {med['optuna']:.2f} "
        f"({min(runs['optuna']):.2f}–{max(runs['optuna']):.2f}) | 1.00 |",
        "",
        f"Target (issue 4): ahpo <= 0.5x Optuna: {'PASS' if ratio <= 0.5 else 'FAIL'} "
        f"(measured {ratio:.2f}x)",
    ]
    text = "\n".join(lines) + "\n"
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)
    print(text)


if __name__ == "__main__":
    main()
