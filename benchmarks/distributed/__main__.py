"""Many workers, one PostgreSQL study: ahpo against Optuna's RDBStorage in one run.

Throughput: ``--workers`` spawned processes each run ``study.optimize`` with their
share of ``--trials`` on one study (trivial objective), after a common start
barrier; trials per second = trials / (last end - first start). Every run uses a
fresh schema on the same server, libraries alternate order per repeat, and each run
is checked: exactly the expected trials, numbers 0..n-1, all COMPLETE.

Ask time: one process times ``study.ask()`` (random sampler, each ask followed by an
untimed tell) when the study holds each of ``--ask-sizes`` trials (grown with
``add_trials``); the report gives the median per ask and its growth.

Usage::

    python -m benchmarks.distributed --url postgresql+psycopg://postgres@127.0.0.1:5432/test
    python -m benchmarks.distributed --repeats 3 --output docs/benchmarks/distributed.md

Needs Optuna and psycopg: ``pip install 'ahpo[bench,postgres]'``.
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing
import os
import platform
import shlex
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

import sqlalchemy as sa

from benchmarks.distributed import _libs

LIBRARIES = ("ahpo", "optuna")
THROUGHPUT_TARGET = 2.0  # ahpo trials/s >= this x Optuna's
GROWTH_TARGET = 1.5  # ahpo's ask time at the largest size <= this x at the smallest


@contextmanager
def _schema(url: str) -> Iterator[str]:
    name = f"ahpo_bench_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {name}")
    try:
        yield name
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")
        engine.dispose()


def _analyze(url: str, schema: str) -> None:
    """Refresh the planner's statistics after a bulk insert, as autovacuum would in a
    long-running study (stale ones make the small study look slow)."""
    engine = sa.create_engine(url, connect_args={"options": f"-c search_path={schema}"})
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    engine.dispose()


def _check(library: str, url: str, schema: str, n: int) -> None:
    study = _libs.open_study(library, url, schema, "bench", None)
    trials = study.trials
    numbers = sorted(t.number for t in trials)
    states = {t.state.name for t in trials}
    if numbers != list(range(n)) or states != {"COMPLETE"}:
        raise RuntimeError(
            f"{library}: expected trials 0..{n - 1} all COMPLETE, got {len(trials)} "
            f"trials, states {states}"
        )


def throughput(library: str, sampler: str, args: argparse.Namespace, run: int) -> float:
    """Trials per second of ``args.workers`` processes on one fresh study."""
    n = args.tpe_trials if sampler == "tpe" else args.random_trials
    shares = [n // args.workers + (i < n % args.workers) for i in range(args.workers)]
    context = multiprocessing.get_context("spawn")
    with _schema(args.url) as schema, context.Manager() as manager:
        _libs.create_study(library, args.url, schema, "bench")
        barrier = manager.Barrier(args.workers)
        jobs = [(library, args.url, schema, "bench", sampler, 1000 * run + i, share, barrier)
                for i, share in enumerate(shares)]
        with context.Pool(args.workers) as pool:
            spans = pool.map(_libs.run_worker, jobs)
        _check(library, args.url, schema, n)
    return n / (max(end for _, end in spans) - min(start for start, _ in spans))


def ask_times(library: str, args: argparse.Namespace) -> dict[int, float]:
    """Median seconds per ask at each study size."""
    out = {}
    with _schema(args.url) as schema:
        _libs.create_study(library, args.url, schema, "bench")
        for size in args.ask_sizes:
            _libs.populate((library, args.url, schema, "bench", size))
            _analyze(args.url, schema)
            out[size] = statistics.median(
                _libs.time_asks((library, args.url, schema, "bench", args.asks))
            )
    return out


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3g} ({min(values):.3g}–{max(values):.3g})"


def report(args: argparse.Namespace, rates: dict[tuple[str, str], list[float]],
           asks: dict[str, list[dict[int, float]]], seconds: float, load: str) -> str:
    lines = [
        "# Distributed optimization on PostgreSQL: ahpo vs Optuna",
        "",
        f"Command: `{shlex.join(['python', '-m', 'benchmarks.distributed', *sys.argv[1:]])}`",
        "",
        f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; "
        f"{platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"ahpo {version('ahpo')}, optuna {version('optuna')}, "
        f"SQLAlchemy {version('sqlalchemy')}, psycopg {version('psycopg')}; "
        f"run took {seconds:.0f} s; load average (1 min) {load}.",
        "",
    ]
    if "throughput" in args.parts:
        lines += _throughput_section(args, rates)
    if "asks" in args.parts:
        lines += _asks_section(args, asks)
    return "\n".join(lines)


def _throughput_section(
    args: argparse.Namespace, rates: dict[tuple[str, str], list[float]]
) -> list[str]:
    lines = [
        f"## Throughput: {args.workers} worker processes, trivial objective",
        "",
        "Trials per second, median (min–max) over repeats; the ratio is ahpo/Optuna "
        "per repeat (libraries alternate order).",
        "",
        "| sampler (trials) | ahpo trials/s | Optuna trials/s | ratio per repeat | median ratio | "
        f"target >= {THROUGHPUT_TARGET:g}x |",
        "|---|---|---|---|---|---|",
    ]
    for sampler in args.samplers:
        ours, theirs = rates[("ahpo", sampler)], rates[("optuna", sampler)]
        ratios = [a / o for a, o in zip(ours, theirs, strict=True)]
        n = args.tpe_trials if sampler == "tpe" else args.random_trials
        median = statistics.median(ratios)
        lines.append(
            f"| {sampler} ({n}) | {_spread(ours)} | {_spread(theirs)} | "
            f"{', '.join(f'{r:.2f}' for r in ratios)} | {median:.2f} | "
            f"{'met' if median >= THROUGHPUT_TARGET else 'NOT met'} |"
        )
    return [*lines, ""]


def _asks_section(args: argparse.Namespace, asks: dict[str, list[dict[int, float]]]) -> list[str]:
    small, large = min(args.ask_sizes), max(args.ask_sizes)
    lines = [
        f"## Time per ask (random sampler, one process, {args.asks} asks per size)",
        "",
        "Median milliseconds per `study.ask()` when the study holds that many trials; "
        "min–max over repeats.",
        "",
        "| library | " + " | ".join(f"{s} trials (ms)" for s in args.ask_sizes)
        + f" | growth {large}/{small} |",
        "|---|" + "---|" * (len(args.ask_sizes) + 1),
    ]
    for library in LIBRARIES:
        runs = asks[library]
        growth = [r[large] / r[small] for r in runs]
        lines.append(
            f"| {library} | "
            + " | ".join(_spread([r[s] * 1000 for r in runs]) for s in args.ask_sizes)
            + f" | {_spread(growth)} |"
        )
    growth = statistics.median(r[large] / r[small] for r in asks["ahpo"])
    ratio = statistics.median(
        a[large] / o[large] for a, o in zip(asks["ahpo"], asks["optuna"], strict=True)
    )
    lines += [
        "",
        f"ahpo's ask time grows {growth:.2f}x from {small} to {large} trials "
        f"(target <= {GROWTH_TARGET:g}x: {'met' if growth <= GROWTH_TARGET else 'NOT met'}); "
        f"at {large} trials it is {ratio:.2f}x Optuna's.",
        "",
    ]
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--url", default=os.environ.get(
        "AHPO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--random-trials", type=int, default=1000)
    parser.add_argument("--tpe-trials", type=int, default=2000)
    parser.add_argument("--samplers", type=lambda s: s.split(","), default=["random", "tpe"])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--ask-sizes", type=lambda s: [int(x) for x in s.split(",")],
                        default=[1000, 20000])
    parser.add_argument("--asks", type=int, default=200)
    parser.add_argument("--parts", type=lambda s: s.split(","), default=["throughput", "asks"],
                        help="throughput, asks or both (the default)")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    started = time.time()
    load_before = os.getloadavg()[0]
    rates: dict[tuple[str, str], list[float]] = {}
    asks: dict[str, list[dict[int, float]]] = {lib: [] for lib in LIBRARIES}
    for run in range(args.repeats):
        order = LIBRARIES if run % 2 == 0 else LIBRARIES[::-1]
        for sampler in args.samplers if "throughput" in args.parts else ():
            for library in order:
                rate = throughput(library, sampler, args, run)
                rates.setdefault((library, sampler), []).append(rate)
                print(f"run {run} {sampler} {library}: {rate:.1f} trials/s", flush=True)
        for library in order if "asks" in args.parts else ():
            asks[library].append(ask_times(library, args))
            print(f"run {run} asks {library}: {asks[library][-1]}", flush=True)
    load = f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    text = report(args, rates, asks, time.time() - started, load)
    print(text)
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
