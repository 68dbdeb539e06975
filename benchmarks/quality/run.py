"""Running (problem, optimizer, seed) tasks, in one process or a pool of them."""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from typing import Any

from benchmarks.quality import optimizers as _optimizers
from benchmarks.quality import problems as _problems
from benchmarks.quality.problems import Problem

__all__ = ["Result", "best_so_far", "run", "run_many", "run_task"]

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass
class Result:
    """What one optimizer did on one problem with one seed.

    ``curve[i]`` is the noiseless value (in the problem's own direction) of the trial
    the optimizer would report as best after ``i + 1`` evaluations: the best value seen
    on noiseless problems; on noisy ones, the true value of the best *observed* trial.
    """

    problem: str
    optimizer: str
    seed: int
    budget: int
    curve: list[float] = field(default_factory=list)
    wall_seconds: float = 0.0
    objective_seconds: float = 0.0
    error: str | None = None

    @property
    def best(self) -> float:
        return self.curve[-1] if self.curve else float("nan")

    @property
    def overhead_seconds(self) -> float:
        """Time outside the objective: sampler plus framework (storage, bookkeeping)."""
        return self.wall_seconds - self.objective_seconds

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def best_so_far(observed: Sequence[float], true: Sequence[float], sign: float) -> list[float]:
    """Noiseless value of the incumbent after each evaluation.

    ``observed``/``true``: ``(n,)`` values as the optimizer saw them and without noise;
    ``sign``: ``+1`` to minimize, ``-1`` to maximize. Ties keep the earlier trial.
    """
    curve: list[float] = []
    best_loss = float("inf")
    incumbent = float("nan")
    for seen, value in zip(observed, true, strict=True):
        loss = sign * seen
        if loss < best_loss:
            best_loss, incumbent = loss, value
        curve.append(incumbent)
    return curve


class _Recorder:
    """The ``evaluate`` a runner calls: times the objective, adds noise, keeps history."""

    def __init__(self, problem: Problem, seed: int, budget: int) -> None:
        self.problem = problem
        self.budget = budget
        self.rng = problem.noise_rng(seed) if problem.noise_sd else None
        self.observed: list[float] = []
        self.true: list[float] = []
        self.seconds = 0.0

    def __call__(self, params: dict[str, Any]) -> float:
        start = time.perf_counter()
        value = float(self.problem.function(params))
        self.seconds += time.perf_counter() - start
        seen = value
        if self.rng is not None:
            seen = value + float(self.rng.normal(0.0, self.problem.noise_sd))
        if len(self.true) < self.budget:
            self.observed.append(seen)
            self.true.append(value)
        return seen


def run(
    optimizer: str, problem: Problem | str, budget: int, seed: int, *, catch: bool = False
) -> Result:
    """Run one optimizer on one problem; the seeded helper sampler tests build on.

    >>> from benchmarks.quality import run
    >>> result = run.run("ahpo-random", "branin", budget=20, seed=0)
    >>> len(result.curve)
    20
    """
    _optimizers.quiet()
    prob = _problems.get(problem) if isinstance(problem, str) else problem
    opt = _optimizers.get(optimizer)
    reason = opt.unavailable()
    if reason is not None:
        raise RuntimeError(f"{optimizer} is unavailable: {reason}")
    recorder = _Recorder(prob, seed, budget)
    result = Result(prob.name, optimizer, seed, budget)
    start = time.perf_counter()
    try:
        opt.runner(prob, budget, seed, recorder)
    except Exception:
        if not catch:
            raise
        result.error = traceback.format_exc(limit=5)
    result.wall_seconds = time.perf_counter() - start
    result.objective_seconds = recorder.seconds
    result.curve = best_so_far(recorder.observed, recorder.true, prob.sign)
    if len(result.curve) < budget and result.error is None:
        result.error = f"only {len(result.curve)} of {budget} evaluations were made"
    return result


def run_task(task: tuple[str, str, int, int]) -> dict[str, Any]:
    """Pool entry point: ``(problem, optimizer, budget, seed)`` → JSON-able result."""
    problem, optimizer, budget, seed = task
    return run(optimizer, problem, budget, seed, catch=True).to_json()


def _limit_threads() -> None:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn brings threadpoolctl
        return
    threadpool_limits(1)


def _cost(task: tuple[str, str, int, int]) -> float:
    """Rough relative cost, to start the slow tasks first (better load balance)."""
    problem = _problems.get(task[0])
    cost = 50.0 if "ml" in problem.tags else 1.0
    return cost * (1 + problem.dimension / 10)


def run_many(
    problems: Sequence[str],
    optimizers: Sequence[str],
    budget: int,
    seeds: Sequence[int],
    jobs: int = 2,
    progress: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Run every (problem, optimizer, seed) task; ``jobs`` worker processes.

    Each worker uses one BLAS/OpenMP thread, so ``jobs`` is the number of cores used and
    results do not depend on it. Returns the tasks' JSON results, in task order.
    """
    tasks = [(p, o, budget, s) for p in problems for o in optimizers for s in seeds]
    order = sorted(range(len(tasks)), key=lambda i: -_cost(tasks[i]))
    results: list[dict[str, Any] | None] = [None] * len(tasks)
    started = time.perf_counter()

    def done(i: int, res: dict[str, Any]) -> None:
        results[i] = res
        if progress is not None:
            n = sum(r is not None for r in results)
            flag = " ERROR" if res["error"] else ""
            progress(
                f"[{n}/{len(tasks)} {time.perf_counter() - started:7.1f}s] "
                f"{res['problem']} {res['optimizer']} seed={res['seed']} "
                f"best={res['curve'][-1] if res['curve'] else float('nan'):.6g} "
                f"({res['wall_seconds']:.1f}s){flag}"
            )

    if jobs <= 1:
        _limit_threads()
        for i in order:
            done(i, run_task(tasks[i]))
    else:
        for var in _THREAD_VARS:
            os.environ.setdefault(var, "1")
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_limit_threads) as pool:
            futures = {pool.submit(run_task, tasks[i]): i for i in order}
            for fut in as_completed(futures):
                done(futures[fut], fut.result())
    return [r for r in results if r is not None]


def machine_info() -> dict[str, Any]:
    """Cores, Python and library versions, for the report header."""
    import platform
    from importlib import metadata

    versions = {}
    for dist in ("ahpo", "optuna", "hyperopt", "cmaes", "numpy", "scipy", "scikit-learn"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    return {
        "nproc": os.cpu_count(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "versions": versions,
        "numpy_threads_per_worker": 1,
        "git": _git_revision(),
    }


def _git_revision() -> str | None:
    """``<short commit>`` of the checkout, ``+dirty`` when src/ has local changes."""
    import subprocess

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"], cwd=root, capture_output=True, text=True
        )
    except OSError:
        return None
    if head.returncode != 0:
        return None
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
