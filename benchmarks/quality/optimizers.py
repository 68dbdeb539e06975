"""The optimizers compared: a registry of name → runner.

A runner is ``runner(problem, budget, seed, evaluate)``: it optimizes ``problem`` for
``budget`` evaluations with its library seeded by ``seed``, and obtains every value by
calling ``evaluate(params) -> float`` (``params`` is a flat ``{name: value}`` dict).
``evaluate`` records the history, times the objective and adds the problem's noise, so
runners stay three lines long. Adding an optimizer is one entry, e.g.::

    register("ahpo-gp", ahpo_runner(lambda s: ahpo.samplers.GPSampler(seed=s)))

``requires`` names modules that must be importable; ``check`` returns a reason the
optimizer cannot run here (or ``None``). Unavailable optimizers are skipped with that
message instead of failing the run.
"""

from __future__ import annotations

import importlib.util
import logging
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from benchmarks.quality.problems import Problem

__all__ = [
    "Optimizer",
    "Runner",
    "ahpo_runner",
    "get",
    "hyperopt_runner",
    "names",
    "optuna_runner",
    "register",
]

Evaluate = Callable[[dict[str, Any]], float]
Runner = Callable[[Problem, int, int, Evaluate], None]


@dataclass(frozen=True)
class Optimizer:
    name: str
    runner: Runner
    description: str = ""
    requires: tuple[str, ...] = ()
    check: Callable[[], str | None] | None = field(default=None, repr=False)

    def unavailable(self) -> str | None:
        """Why this optimizer cannot run in this environment, or ``None``."""
        for module in self.requires:
            if importlib.util.find_spec(module) is None:
                return f"needs the {module!r} package, which is not installed"
        return self.check() if self.check is not None else None


_REGISTRY: dict[str, Optimizer] = {}


def register(
    name: str,
    runner: Runner,
    description: str = "",
    requires: Sequence[str] = (),
    check: Callable[[], str | None] | None = None,
) -> Optimizer:
    if name in _REGISTRY:
        raise ValueError(f"optimizer {name!r} is already registered")
    optimizer = Optimizer(name, runner, description, tuple(requires), check)
    _REGISTRY[name] = optimizer
    return optimizer


def get(name: str) -> Optimizer:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown optimizer {name!r}; known: {', '.join(_REGISTRY)}") from None


def names() -> list[str]:
    return list(_REGISTRY)


def quiet() -> None:
    """Silence the libraries' logging and warnings (idempotent)."""
    warnings.filterwarnings("ignore")
    for logger in ("optuna", "hyperopt", "ahpo"):
        logging.getLogger(logger).setLevel(logging.ERROR)
    if importlib.util.find_spec("optuna") is not None:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.ERROR)


# ---- runner factories ---------------------------------------------------------------
def ahpo_runner(make_sampler: Callable[[int], Any]) -> Runner:
    """A runner for an ahpo sampler; ``make_sampler(seed)`` builds it."""

    def run(problem: Problem, budget: int, seed: int, evaluate: Evaluate) -> None:
        import ahpo

        study = ahpo.create_study(direction=problem.direction, sampler=make_sampler(seed))
        study.optimize(lambda trial: evaluate(problem.suggest(trial)), n_trials=budget)

    return run


def optuna_runner(make_sampler: Callable[[int], Any]) -> Runner:
    """A runner for an Optuna sampler; ``make_sampler(seed)`` builds it."""

    def run(problem: Problem, budget: int, seed: int, evaluate: Evaluate) -> None:
        import optuna

        study = optuna.create_study(direction=problem.direction, sampler=make_sampler(seed))
        study.optimize(lambda trial: evaluate(problem.suggest(trial)), n_trials=budget)

    return run


def hyperopt_runner(algo: str) -> Runner:
    """A runner for Hyperopt's ``fmin`` with ``algo`` ``"tpe"``, ``"rand"`` or ``"atpe"``."""

    def run(problem: Problem, budget: int, seed: int, evaluate: Evaluate) -> None:
        import hyperopt

        suggest = getattr(hyperopt, algo).suggest
        sign = problem.sign  # Hyperopt only minimizes

        def fn(sample: dict[str, Any]) -> float:
            return sign * evaluate(problem.from_hyperopt(sample))

        hyperopt.fmin(
            fn,
            problem.hyperopt_space(),
            algo=suggest,
            max_evals=budget,
            trials=hyperopt.Trials(),
            rstate=np.random.default_rng(seed),
            show_progressbar=False,
        )

    return run


# ---- the registry -------------------------------------------------------------------
def _ahpo_tpe(**kwargs: Any) -> Callable[[int], Any]:
    def make(seed: int) -> Any:
        import ahpo.samplers

        cls = getattr(ahpo.samplers, "TPESampler", None)
        if cls is None:
            from ahpo.samplers._tpe import TPESampler as cls
        return cls(seed=seed, **kwargs)

    return make


def _ahpo_sampler(name: str, **kwargs: Any) -> Callable[[int], Any]:
    def make(seed: int) -> Any:
        import ahpo.samplers

        return getattr(ahpo.samplers, name)(seed=seed, **kwargs)

    return make


def _ahpo_has(name: str) -> Callable[[], str | None]:
    def check() -> str | None:
        import ahpo.samplers

        if hasattr(ahpo.samplers, name):
            return None
        return f"ahpo.samplers has no {name} yet"

    return check


def _optuna_sampler(name: str, **kwargs: Any) -> Callable[[int], Any]:
    def make(seed: int) -> Any:
        import optuna

        return getattr(optuna.samplers, name)(seed=seed, **kwargs)

    return make


register(
    "ahpo-random",
    ahpo_runner(_ahpo_sampler("RandomSampler")),
    "ahpo RandomSampler",
)
register(
    "ahpo-tpe",
    ahpo_runner(_ahpo_tpe()),
    "ahpo TPESampler, default configuration",
)
register(
    "ahpo-qmc",
    ahpo_runner(_ahpo_sampler("QMCSampler")),
    "ahpo QMCSampler, default configuration",
    check=_ahpo_has("QMCSampler"),
)
register(
    "ahpo-gp",
    ahpo_runner(_ahpo_sampler("GPSampler")),
    "ahpo GPSampler, default configuration",
    check=_ahpo_has("GPSampler"),
)
register(
    "optuna-random",
    optuna_runner(_optuna_sampler("RandomSampler")),
    "Optuna RandomSampler",
    requires=["optuna"],
)
register(
    "optuna-tpe",
    optuna_runner(_optuna_sampler("TPESampler")),
    "Optuna TPESampler, default (Optuna 5: multivariate for one objective, group=False)",
    requires=["optuna"],
)
register(
    "optuna-tpe-mv",
    optuna_runner(_optuna_sampler("TPESampler", multivariate=True, group=True)),
    "Optuna TPESampler(multivariate=True, group=True)",
    requires=["optuna"],
)
register(
    "optuna-tpe-mv-nogroup",
    optuna_runner(_optuna_sampler("TPESampler", multivariate=True)),
    "Optuna TPESampler(multivariate=True): the same sampler as optuna-tpe in Optuna 5",
    requires=["optuna"],
)
register(
    "optuna-tpe-indep",
    optuna_runner(_optuna_sampler("TPESampler", multivariate=False)),
    "Optuna TPESampler(multivariate=False): independent TPE, Optuna < 5 default",
    requires=["optuna"],
)
register(
    "optuna-gp",
    optuna_runner(_optuna_sampler("GPSampler")),
    "Optuna GPSampler (needs torch)",
    requires=["optuna", "torch"],
)
register(
    "optuna-cmaes",
    optuna_runner(_optuna_sampler("CmaEsSampler")),
    "Optuna CmaEsSampler, default (categoricals fall back to random sampling)",
    requires=["optuna", "cmaes"],
)
register(
    "optuna-qmc",
    optuna_runner(_optuna_sampler("QMCSampler", scramble=True)),
    "Optuna QMCSampler(scramble=True): seeded scrambled Sobol (the default is unscrambled)",
    requires=["optuna"],
)
register(
    "hyperopt-random",
    hyperopt_runner("rand"),
    "Hyperopt rand.suggest",
    requires=["hyperopt"],
)
register(
    "hyperopt-tpe",
    hyperopt_runner("tpe"),
    "Hyperopt tpe.suggest, default (20 random start-up trials)",
    requires=["hyperopt"],
)
