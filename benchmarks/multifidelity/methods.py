"""The optimizers compared, and one run of an optimizer on a task under a resource budget.

ahpo and Optuna share the define-by-run and ask-and-tell names, so one loop drives
both: ask, let the task suggest, run the learning curve one step at a time with
``report`` / ``should_prune``, tell. Every step run costs one unit of resource.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from benchmarks.multifidelity.tasks import Task

#: Hyperband / ASHA settings shared by every method: rungs at 1, 3, 9, 27.
MIN_RESOURCE = 1
REDUCTION_FACTOR = 3


class SharedDraws:
    """Answers a task's ``suggest_*`` calls from a stream both libraries share.

    Trial ``number`` of seed ``seed`` gets the same uniform random configuration in
    ahpo and in Optuna (each value drawn uniformly from its grid or range), so rows
    that use it (:data:`SHARED_DRAWS`) compare pruners on common random numbers:
    the same configurations in the same order, only the pruning differs.
    """

    def __init__(self, seed: int, number: int) -> None:
        self._rng = np.random.default_rng([seed, number])
        self.params: dict[str, Any] = {}

    def suggest_int(self, name: str, low: int, high: int) -> int:
        self.params[name] = int(self._rng.integers(low, high + 1))
        return self.params[name]

    def suggest_float(
        self, name: str, low: float, high: float, *, step: float | None = None
    ) -> float:
        if step is None:
            value = float(self._rng.uniform(low, high))
        else:
            value = round(low + step * int(self._rng.integers(round((high - low) / step) + 1)), 10)
        self.params[name] = value
        return value

    def suggest_categorical(self, name: str, choices: Sequence[Any]) -> Any:
        self.params[name] = choices[int(self._rng.integers(len(choices)))]
        return self.params[name]


def _name(seed: int, task: Task) -> str:
    """A fixed study name: Optuna's HyperbandPruner hashes it into the brackets."""
    return f"multifidelity-{task.name}-{seed}"


def _ahpo(sampler: str, pruner: str) -> Callable[[int, Task], tuple[Any, Any]]:
    def make(seed: int, task: Task) -> tuple[Any, Any]:
        import ahpo

        samplers = {
            "random": lambda: ahpo.samplers.RandomSampler(seed=seed),
            "tpe": lambda: ahpo.samplers.TPESampler(seed=seed),
            # BOHB's random fraction (Falkner et al. 2018: a third of the configurations)
            "tpe-bohb": lambda: ahpo.samplers.TPESampler(seed=seed, random_fraction=1 / 3),
            # the tasks are deterministic: a configuration run again teaches nothing
            "tpe-det": lambda: ahpo.samplers.TPESampler(seed=seed, deterministic_objective=True),
            "tpe-bohb-det": lambda: ahpo.samplers.TPESampler(
                seed=seed, random_fraction=1 / 3, deterministic_objective=True
            ),
            "gp-bohb": lambda: ahpo.samplers.GPSampler(seed=seed, random_fraction=1 / 3),
            "gp-bohb-det": lambda: ahpo.samplers.GPSampler(
                seed=seed, random_fraction=1 / 3, deterministic_objective=True
            ),
        }
        r, eta = MIN_RESOURCE, REDUCTION_FACTOR
        pruners = {
            "none": ahpo.pruners.NopPruner,
            "asha": lambda: ahpo.pruners.SuccessiveHalvingPruner(r, eta),
            "hyperband": lambda: ahpo.pruners.HyperbandPruner(r, task.max_resource, eta),
            "hyperband-interleaved": lambda: ahpo.pruners.HyperbandPruner(
                r, task.max_resource, eta, bracket_order="interleaved"
            ),
            "hyperband-bracket": lambda: ahpo.pruners.HyperbandPruner(
                r, task.max_resource, eta, sampler_trials="bracket"
            ),
        }
        study = ahpo.create_study(
            sampler=samplers[sampler](), pruner=pruners[pruner](), study_name=_name(seed, task)
        )
        return study, ahpo.TrialState.PRUNED

    return make


def _optuna(sampler: str, pruner: str) -> Callable[[int, Task], tuple[Any, Any]]:
    def make(seed: int, task: Task) -> tuple[Any, Any]:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        samplers = {
            "random": lambda: optuna.samplers.RandomSampler(seed=seed),
            "tpe": lambda: optuna.samplers.TPESampler(seed=seed),
        }
        r, eta = MIN_RESOURCE, REDUCTION_FACTOR
        pruners = {
            "asha": lambda: optuna.pruners.SuccessiveHalvingPruner(r, eta),
            "hyperband": lambda: optuna.pruners.HyperbandPruner(r, task.max_resource, eta),
        }
        study = optuna.create_study(
            sampler=samplers[sampler](), pruner=pruners[pruner](), study_name=_name(seed, task)
        )
        return study, optuna.trial.TrialState.PRUNED

    return make


def optuna_tpe_view(n_trials: int = 40) -> tuple[int, int]:
    """What Optuna's TPESampler reads under its HyperbandPruner, measured on a small study.

    Returns
    -------
    tuple of int
        ``(read, bracket)`` at trial number ``n_trials - 1``: the trials TPE's own read
        (``study._get_trials``) returned, and the trials of that trial's bracket
        (``study.get_trials``, the call the pruner's bracket filter overrides).
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    seen: list[tuple[int, int]] = []

    class _Spy(optuna.samplers.TPESampler):
        def sample_relative(self, study: Any, trial: Any, search_space: Any) -> Any:
            read = study._get_trials(deepcopy=False, states=None, use_cache=True)
            seen.append((len(read), len(study.get_trials(deepcopy=False))))
            return super().sample_relative(study, trial, search_space)

    def objective(trial: Any) -> float:
        x, y = trial.suggest_float("x", 0, 1), trial.suggest_float("y", 0, 1)
        for step in range(1, 28):
            trial.report(x + y / step, step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return x + y / 27

    pruner = optuna.pruners.HyperbandPruner(1, 27, 3)
    # A fixed name: Optuna hashes it into the brackets, so the count is reproducible.
    study = optuna.create_study(
        sampler=_Spy(seed=0, n_startup_trials=5), pruner=pruner, study_name="optuna-tpe-view"
    )
    study.optimize(objective, n_trials=n_trials)
    return seen[-1]


#: name -> (description, ``make(seed, task) -> (study, PRUNED state)``).
METHODS: dict[str, tuple[str, Callable[[int, Task], tuple[Any, Any]]]] = {
    "random": ("ahpo random search, no pruning", _ahpo("random", "none")),
    "asha+random": ("ahpo SuccessiveHalvingPruner (ASHA) + random", _ahpo("random", "asha")),
    "hyperband+random": ("ahpo HyperbandPruner + random", _ahpo("random", "hyperband")),
    "hyperband-interleaved+random": (
        "ahpo HyperbandPruner(bracket_order='interleaved') + random",
        _ahpo("random", "hyperband-interleaved"),
    ),
    "hyperband+tpe": (
        "ahpo HyperbandPruner + TPE, both defaults: TPE fitted on the highest filled rung",
        _ahpo("tpe", "hyperband"),
    ),
    "hyperband-bracket+tpe": (
        "ahpo HyperbandPruner(sampler_trials='bracket') + TPE: TPE sees its trial's bracket "
        "(as Optuna documents)",
        _ahpo("tpe", "hyperband-bracket"),
    ),
    "bohb": (
        "ahpo HyperbandPruner + TPESampler(random_fraction=1/3): BOHB",
        _ahpo("tpe-bohb", "hyperband"),
    ),
    "hyperband+tpe-det": (
        "ahpo HyperbandPruner + TPESampler(deterministic_objective=True): no repeats",
        _ahpo("tpe-det", "hyperband"),
    ),
    "bohb-det": (
        "BOHB as `bohb`, TPESampler(deterministic_objective=True): no repeats",
        _ahpo("tpe-bohb-det", "hyperband"),
    ),
    "bohb-gp": (
        "ahpo HyperbandPruner + GPSampler(random_fraction=1/3): BOHB with a GP",
        _ahpo("gp-bohb", "hyperband"),
    ),
    "bohb-gp-det": (
        "BOHB with a GP as `bohb-gp`, GPSampler(deterministic_objective=True): no repeats",
        _ahpo("gp-bohb-det", "hyperband"),
    ),
    "optuna-asha+random": ("Optuna SuccessiveHalvingPruner + random", _optuna("random", "asha")),
    "optuna-hyperband+random": ("Optuna HyperbandPruner + random", _optuna("random", "hyperband")),
    "optuna-hyperband+tpe": ("Optuna HyperbandPruner + TPE", _optuna("tpe", "hyperband")),
    "asha+shared": (
        "ahpo SuccessiveHalvingPruner, configurations drawn at random from the stream "
        "shared with `optuna-asha+shared`",
        _ahpo("random", "asha"),
    ),
    "optuna-asha+shared": (
        "Optuna SuccessiveHalvingPruner, the same configurations as `asha+shared`",
        _optuna("random", "asha"),
    ),
    "hyperband+shared": (
        "ahpo HyperbandPruner, configurations drawn at random from the stream shared with "
        "`optuna-hyperband+shared`",
        _ahpo("random", "hyperband"),
    ),
    "optuna-hyperband+shared": (
        "Optuna HyperbandPruner, the same configurations as `hyperband+shared`",
        _optuna("random", "hyperband"),
    ),
}

#: Methods whose trial ``i`` gets :class:`SharedDraws` ``(seed, i)``'s configuration
#: (enqueued, so the library's sampler is not asked).
SHARED_DRAWS = frozenset(name for name in METHODS if name.endswith("+shared"))

#: Methods that sample configurations at random (no model): the only ones that can run on
#: stored curves (``tasks.replayed``), where a configuration is a row index.
RANDOM_SAMPLING = frozenset(
    name for name in METHODS if name == "random" or name.endswith(("+random", "+shared"))
)


def run(task: Task, method: str, seed: int, budget: int) -> dict[str, Any]:
    """Run ``method`` on ``task`` until ``budget`` steps are spent (the last trial ends).

    Returns
    -------
    dict
        ``trace``: ``[spent, best]`` after each finished trial, ``spent`` the steps run
        so far and ``best`` the best final loss of the COMPLETE trials (``inf`` before
        the first); ``n_trials``, ``n_complete``, ``wall_seconds``, and
        ``repeat_steps``: the steps of trials whose configuration (its grid values)
        an earlier trial of the run already had, which teach the optimizer nothing new
        about the curve beyond how far the earlier one got.
    """
    study, pruned_state = METHODS[method][1](seed, task)
    started = time.perf_counter()
    spent, best, n_trials, n_complete, repeat_steps = 0, math.inf, 0, 0, 0
    tried: set[Any] = set()
    trace: list[list[float]] = []
    while spent < budget:
        if method in SHARED_DRAWS:
            draws = SharedDraws(seed, n_trials)
            task.suggest(draws)
            study.enqueue_trial(draws.params)
        trial = study.ask()
        config = task.suggest(trial)
        repeated = config in tried
        tried.add(config)
        loss_at = task.curve(config)
        n_trials += 1
        value, pruned = math.nan, False
        for step in range(1, task.max_resource + 1):
            value = loss_at(step)
            spent += 1
            repeat_steps += repeated
            trial.report(value, step)
            if trial.should_prune():
                pruned = True
                break
        if pruned:
            study.tell(trial, state=pruned_state)
        else:
            study.tell(trial, value)
            best = min(best, value)
            n_complete += 1
        trace.append([spent, best])
    return {
        "task": task.name,
        "method": method,
        "seed": seed,
        "budget": budget,
        "trace": trace,
        "n_trials": n_trials,
        "n_complete": n_complete,
        "repeat_steps": repeat_steps,
        "wall_seconds": time.perf_counter() - started,
    }
