"""GP sampler time per trial: ahpo's GPSampler against Optuna's, in memory, same space.

A study is filled with ``n - 1`` trials of a trivial objective over a mixed space (4
floats, an int and a categorical) sampled at random and added with ``add_trial``;
then ``--asks`` trials are asked, suggested and told with the GP sampler, and the mean
time of one such trial (wall clock and process CPU time) is the time per trial at
history size ``n``. Filling with added trials instead of running the GP ``n`` times
keeps the benchmark short; the model's cost depends on the history size, not on how
the history was made. Both libraries run with one BLAS/torch thread. Reported:
median and spread (min–max) over ``--repeats`` runs, and the ratio ahpo / Optuna.

    python benchmarks/gp_time.py --sizes 200,1000 --optuna-sizes 200 --repeats 3 \
        --output docs/benchmarks/gp_time.md
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np


def _value(params: dict[str, Any]) -> float:
    xs = [params[f"x{i}"] for i in range(4)]
    return sum(x * x for x in xs) + params["n"] + (params["c"] == "a")


def _suggest(trial: Any) -> dict[str, Any]:
    params: dict[str, Any] = {f"x{i}": trial.suggest_float(f"x{i}", -5, 5) for i in range(4)}
    params["n"] = trial.suggest_int("n", 0, 10)
    params["c"] = trial.suggest_categorical("c", ["a", "b", "c"])
    return params


def _random_params(rng: np.random.Generator) -> dict[str, Any]:
    params: dict[str, Any] = {f"x{i}": float(rng.uniform(-5, 5)) for i in range(4)}
    params["n"] = int(rng.integers(0, 11))
    params["c"] = str(rng.choice(["a", "b", "c"]))
    return params


def _ahpo_study(history: int, seed: int) -> Any:
    import ahpo

    dists = {f"x{i}": ahpo.Float(-5, 5) for i in range(4)}
    dists["n"] = ahpo.Int(0, 10)
    dists["c"] = ahpo.Categorical(["a", "b", "c"])
    study = ahpo.create_study(sampler=ahpo.samplers.GPSampler(seed=seed))
    rng = np.random.default_rng(seed)
    for _ in range(history):
        p = _random_params(rng)
        study.add_trial(ahpo.create_trial(params=p, distributions=dists, value=_value(p)))
    return study


def _optuna_study(history: int, seed: int) -> Any:
    import optuna
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    dists: dict[str, Any] = {f"x{i}": FloatDistribution(-5, 5) for i in range(4)}
    dists["n"] = IntDistribution(0, 10)
    dists["c"] = CategoricalDistribution(["a", "b", "c"])
    study = optuna.create_study(sampler=optuna.samplers.GPSampler(seed=seed))
    rng = np.random.default_rng(seed)
    for _ in range(history):
        p = _random_params(rng)
        study.add_trial(
            optuna.trial.create_trial(params=p, distributions=dists, value=_value(p))
        )
    return study


def _ms_per_trial(
    make: Callable[[int, int], Any], size: int, asks: int, seed: int
) -> tuple[float, float]:
    """Wall-clock and process CPU milliseconds per trial at history size ``size``."""
    study = make(size - 1, seed)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(asks):
        trial = study.ask()
        study.tell(trial, _value(_suggest(trial)))
    return (
        (time.perf_counter() - wall) / asks * 1e3,
        (time.process_time() - cpu) / asks * 1e3,
    )


def _single_thread() -> None:
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:  # Optuna's GPSampler is then unavailable anyway
        pass


def _cell(samples: list[float]) -> str:
    return f"{statistics.median(samples):.0f} ({min(samples):.0f}–{max(samples):.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,1000", help="history sizes, comma-separated")
    parser.add_argument("--optuna-sizes", default="200",
                        help="sizes at which Optuna is also timed (it is slow at 1,000)")
    parser.add_argument("--asks", type=int, default=5, help="timed trials per run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", help="write the markdown table here")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    _single_thread()
    sizes = [int(s) for s in args.sizes.split(",")]
    optuna_sizes = {int(s) for s in args.optuna_sizes.split(",") if s}
    rows = []
    for size in sizes:
        ours = [_ms_per_trial(_ahpo_study, size, args.asks, r) for r in range(args.repeats)]
        theirs = (
            [_ms_per_trial(_optuna_study, size, args.asks, r) for r in range(args.repeats)]
            if size in optuna_sizes else []
        )
        cells = []
        for k in (0, 1):  # wall, CPU
            a = [t[k] for t in ours]
            o = [t[k] for t in theirs]
            ratio = (
                f"{statistics.median(x / y for x, y in zip(a, o, strict=True)):.2f}"
                if o else "–"
            )
            cells += [_cell(a), _cell(o) if o else "not run", ratio]
        rows.append(f"| {size} | " + " | ".join(cells) + " |")
        print(rows[-1], flush=True)
    import optuna

    import ahpo

    command = "python benchmarks/gp_time.py " + " ".join(
        f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items() if k != "output"
    )
    lines = [
        "# GP sampler time per trial",
        "",
        "Generated by `benchmarks/gp_time.py`. Command:",
        "",
        "```",
        command + (f" --output {args.output}" if args.output else ""),
        "```",
        "",
        f"- machine: {platform.machine()}, {platform.platform()}, Python "
        f"{platform.python_version()}; one BLAS/torch thread; a shared machine, so absolute "
        "times vary: compare within a row",
        f"- ahpo {ahpo.__version__}, optuna {optuna.__version__}",
        "- space: 4 floats, an int, a categorical; history of random trials added with "
        f"`add_trial`, then {args.asks} timed ask/tell trials; {args.repeats} runs (seeds "
        f"0–{args.repeats - 1})",
        "",
        "Time per trial in ms, wall clock and CPU time of the process: median (min–max) "
        "over runs; ratio: median of per-seed ahpo / Optuna. On a loaded machine the wall "
        "time includes waiting for a core; the CPU time does not.",
        "",
        "| history size | ahpo wall | Optuna wall | ratio | ahpo CPU | Optuna CPU | ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
    ]
    text = "\n".join(lines)
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)
    print(text)


if __name__ == "__main__":
    main()
