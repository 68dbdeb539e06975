"""Framework overhead per trial: ahpo against Optuna, side by side in one run.

The objective is trivial (two suggestions and a sum), so the time measured is the
framework's own: asking the sampler, recording parameters, finishing the trial. Both
libraries use their random sampler and are silenced. After an untimed warm-up run,
each case runs ``--repeats`` times per library, alternating libraries, each time on a
fresh study (and for SQLite a fresh database file); the report gives the median time
per trial and the min–max spread, the ratio ahpo/Optuna, and how per-trial time grows
with the study's size.

Usage::

    python benchmarks/overhead.py                       # all cases, report on stdout
    python benchmarks/overhead.py --repeats 5 --cases memory-1000,sqlite-1000
    python benchmarks/overhead.py --output docs/benchmarks/overhead.md

Needs Optuna: ``pip install 'ahpo[bench]'``.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import logging
import os
import platform
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import ahpo

#: name -> (storage kind, trials per run)
CASES: dict[str, tuple[str, int]] = {
    "memory-1000": ("memory", 1_000),
    "memory-20000": ("memory", 20_000),
    "sqlite-1000": ("sqlite", 1_000),
}
LIBRARIES = ("ahpo", "optuna")
#: Trials of the untimed warm-up run per library before each case.
WARMUP_TRIALS = 50

#: (description, case, bound): ahpo's per-trial time must be <= bound x Optuna's.
RATIO_TARGETS = (
    ("ahpo in memory (1,000 trials) <= 0.5x Optuna", "memory-1000", 0.5),
    ("ahpo in memory (20,000 trials) <= 0.5x Optuna", "memory-20000", 0.5),
    ("ahpo SQLite (1,000 trials) <= 0.5x Optuna", "sqlite-1000", 0.5),
)
#: ahpo's per-trial time at 20,000 trials must be <= this x its time at 1,000.
GROWTH_TARGET = 1.5


def objective(trial: Any) -> float:
    """The same trivial objective for both libraries."""
    return trial.suggest_float("x", -1.0, 1.0) ** 2 + trial.suggest_int("n", 0, 10)


def import_optuna() -> Any:
    """Optuna with its logging silenced, or exit with what to install."""
    try:
        import optuna
    except ImportError:
        sys.exit("The overhead benchmark compares against Optuna: pip install 'ahpo[bench]'")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def make_study(library: str, storage: str | None, seed: int, optuna: Any) -> Any:
    """A fresh minimizing study of ``library`` with its random sampler."""
    if library == "ahpo":
        return ahpo.create_study(storage=storage, sampler=ahpo.samplers.RandomSampler(seed=seed))
    return optuna.create_study(storage=storage, sampler=optuna.samplers.RandomSampler(seed=seed))


def time_one_run(library: str, kind: str, n_trials: int, seed: int, optuna: Any) -> float:
    """Seconds per trial of one ``study.optimize(objective, n_trials)`` on a fresh study."""
    with tempfile.TemporaryDirectory(prefix="ahpo-overhead-") as tmp:
        storage = f"sqlite:///{Path(tmp) / 'bench.db'}" if kind == "sqlite" else None
        study = make_study(library, storage, seed, optuna)
        gc.collect()
        start = time.perf_counter()
        study.optimize(objective, n_trials=n_trials)
        elapsed = time.perf_counter() - start
        if len(study.trials) != n_trials:
            raise RuntimeError(f"{library} ran {len(study.trials)} trials, not {n_trials}.")
        del study
        gc.collect()  # let SQLAlchemy release the file before the directory goes
    return elapsed / n_trials


@dataclass(frozen=True)
class Timing:
    """Per-trial times of one library on one case, in microseconds."""

    runs: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def spread(self) -> str:
        return f"{min(self.runs):,.0f}–{max(self.runs):,.0f}"


def measure(
    cases: list[str], repeats: int, optuna: Any, log: Callable[[str], None]
) -> dict[str, dict[str, Timing]]:
    """Time every case ``repeats`` times per library, alternating the libraries."""
    results: dict[str, dict[str, Timing]] = {}
    for case in cases:
        kind, n_trials = CASES[case]
        runs: dict[str, list[float]] = {lib: [] for lib in LIBRARIES}
        for library in LIBRARIES:  # untimed: imports, lazy modules, first connections
            time_one_run(library, kind, WARMUP_TRIALS, 0, optuna)
        for repeat in range(repeats):
            for library in LIBRARIES:
                seconds = time_one_run(library, kind, n_trials, repeat + 1, optuna)
                runs[library].append(seconds * 1e6)
                log(f"{case:>13}  {library:<6}  run {repeat + 1}/{repeats}: "
                    f"{seconds * 1e6:,.0f} µs/trial")
        results[case] = {lib: Timing(tuple(r)) for lib, r in runs.items()}
    return results


def load_average() -> str:
    """The 1-minute load average, or ``n/a`` where the OS has none."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except (AttributeError, OSError):
        return "n/a"


def machine(load_before: str) -> list[str]:
    """What the numbers were measured on, and how busy the machine was."""
    libs = ", ".join(
        f"{name} {version(name)}" for name in ("ahpo", "optuna", "SQLAlchemy", "numpy")
    )
    return [
        f"- CPUs (nproc): {os.cpu_count()}; {platform.machine()}, {platform.system()} "
        f"{platform.release()}",
        f"- Python {platform.python_version()} ({platform.python_implementation()})",
        f"- {libs}",
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- 1-minute load average before / after the runs: {load_before} / {load_average()}",
    ]


def provenance(command: str, load_before: str) -> list[str]:
    """The command that produced a report and the machine it ran on, as markdown lines."""
    return ["Command:", "", "```", command, "```", "", *machine(load_before)]


def targets(results: dict[str, dict[str, Timing]]) -> list[str]:
    """PASS/FAIL for each target whose cases were run."""
    lines = []
    for text, case, bound in RATIO_TARGETS:
        if case in results:
            ratio = results[case]["ahpo"].median / results[case]["optuna"].median
            verdict = "PASS" if ratio <= bound else "FAIL"
            lines.append(f"- {verdict}: {text} (measured {ratio:.2f}x)")
    if "memory-1000" in results and "memory-20000" in results:
        growth = results["memory-20000"]["ahpo"].median / results["memory-1000"]["ahpo"].median
        verdict = "PASS" if growth <= GROWTH_TARGET else "FAIL"
        lines.append(
            f"- {verdict}: ahpo per-trial time at 20,000 trials <= {GROWTH_TARGET}x "
            f"at 1,000 (measured {growth:.2f}x)"
        )
    return lines


def report(
    results: dict[str, dict[str, Timing]], command: str, repeats: int, load_before: str
) -> str:
    """The results as a markdown page."""
    out = [
        "# Framework overhead: ahpo vs Optuna",
        "",
        "Time per trial of `study.optimize` on a trivial objective (one `suggest_float`, "
        "one `suggest_int`), random sampler on both sides, logging silenced, a fresh study "
        "(and SQLite file) per run, after an untimed warm-up run. Median and min–max over "
        f"{repeats} run(s) per library, in microseconds per trial; lower is better. "
        "SQLite times are mostly commit (fsync) latency, so they depend on the disk and "
        "vary more between runs than the in-memory ones.",
        "",
        *provenance(command, load_before),
        "",
        "| case | ahpo µs/trial (min–max) | Optuna µs/trial (min–max) | ahpo / Optuna |",
        "|---|---:|---:|---:|",
    ]
    for case, timing in results.items():
        a, o = timing["ahpo"], timing["optuna"]
        out.append(
            f"| {case} | {a.median:,.0f} ({a.spread()}) | {o.median:,.0f} ({o.spread()}) "
            f"| {a.median / o.median:.2f} |"
        )
    if "memory-1000" in results and "memory-20000" in results:
        out += ["", "Growth: per-trial time at 20,000 trials / at 1,000 (in memory):", ""]
        for lib in LIBRARIES:
            ratio = results["memory-20000"][lib].median / results["memory-1000"][lib].median
            out.append(f"- {lib}: {ratio:.2f}x")
    out += ["", "## Targets", "", *targets(results), ""]
    return "\n".join(out)


def parse_args(
    argv: list[str] | None, cases: Collection[str] = tuple(CASES), doc: str = __doc__
) -> argparse.Namespace:
    """``--repeats``, ``--cases`` (a subset of ``cases``) and ``--output``."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs per case and library (default 3)"
    )
    parser.add_argument(
        "--cases", default=",".join(cases),
        help=f"comma-separated subset of {', '.join(cases)} (default: all)",
    )
    parser.add_argument("--output", type=Path, help="write the markdown report to this file")
    args = parser.parse_args(argv)
    args.cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = [c for c in args.cases if c not in cases]
    if unknown or not args.cases:
        parser.error(f"--cases must be a subset of {', '.join(cases)}; got {unknown or 'none'}")
    if args.repeats < 1:
        parser.error(f"--repeats must be >= 1; got {args.repeats}")
    return args


def publish(text: str, output: Path | None) -> None:
    """The report on stdout, or written to ``output`` (and echoed on stderr)."""
    if output is None:
        print(text)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        print(text, file=sys.stderr)
        print(f"Wrote {output}", file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    optuna = import_optuna()
    logging.getLogger("ahpo").setLevel(logging.WARNING)
    load_before = load_average()
    results = measure(args.cases, args.repeats, optuna, lambda m: print(m, file=sys.stderr))
    command = shlex.join(["python", "benchmarks/overhead.py", *sys.argv[1:]])
    publish(report(results, command, args.repeats, load_before), args.output)


if __name__ == "__main__":
    main()
