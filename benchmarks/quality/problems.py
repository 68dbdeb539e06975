"""The benchmark problems: a registry of named, seeded, library-neutral objectives.

A :class:`Problem` states its search space once (see ``_space``), so the same space
reaches ahpo and Optuna through ``trial.suggest_*`` and Hyperopt through ``hp.*``.
Tests import it directly::

    from benchmarks.quality import problems
    branin = problems.get("branin")
    study.optimize(branin.objective, n_trials=50)
    assert study.best_value - branin.optimum < 0.1

``select("tag:continuous")``, ``select("branin,hartmann6")`` and ``select("all")`` pick
problems the way the command line does.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from benchmarks.quality import _ml, _synthetic
from benchmarks.quality._space import Branch, Cat, Float, Int, Param
from benchmarks.quality._space import dimension as _dimension
from benchmarks.quality._space import from_hyperopt as _from_hyperopt
from benchmarks.quality._space import hyperopt_space as _hyperopt_space
from benchmarks.quality._space import suggest as _suggest

__all__ = ["Problem", "get", "names", "register", "select", "tags"]


@dataclass(frozen=True)
class Problem:
    """One benchmark objective.

    Parameters
    ----------
    name
        Registry key.
    space
        The search space (``Float``, ``Int``, ``Cat``, ``Branch`` records).
    function
        ``function(params) -> float``: the noiseless value of a configuration.
    direction
        ``"minimize"`` or ``"maximize"``.
    optimum
        The best attainable noiseless value, or ``None`` when unknown (ML tasks).
    tags
        Labels used by ``select("tag:...")``.
    noise_sd
        Standard deviation of the Gaussian noise added to what the optimizer sees;
        scores always use the noiseless value of the trial the optimizer ranks best.
    description
        One line for the report.
    """

    name: str
    space: tuple[Param, ...]
    function: Callable[[dict[str, Any]], float]
    direction: str = "minimize"
    optimum: float | None = None
    tags: frozenset[str] = frozenset()
    noise_sd: float = 0.0
    description: str = ""

    @property
    def sign(self) -> float:
        """``+1`` for minimization, ``-1`` for maximization: ``loss = sign * value``."""
        return 1.0 if self.direction == "minimize" else -1.0

    @property
    def dimension(self) -> int:
        return _dimension(self.space)

    def suggest(self, trial: Any) -> dict[str, Any]:
        """Ask an ahpo or Optuna trial for this problem's parameters."""
        return _suggest(trial, self.space)

    def objective(self, trial: Any) -> float:
        """Define-by-run objective (noiseless), for ahpo and Optuna alike."""
        return self.function(self.suggest(trial))

    def hyperopt_space(self) -> dict[str, Any]:
        return _hyperopt_space(self.space)

    def from_hyperopt(self, sample: dict[str, Any]) -> dict[str, Any]:
        return _from_hyperopt(self.space, sample)

    def noise_rng(self, seed: int) -> np.random.Generator:
        """The noise stream of one run: a function of the seed and the problem name."""
        return np.random.default_rng([seed, zlib.crc32(self.name.encode())])


_REGISTRY: dict[str, Problem] = {}


def register(problem: Problem) -> Problem:
    """Add ``problem`` to the registry (one entry per problem) and return it."""
    if problem.name in _REGISTRY:
        raise ValueError(f"problem {problem.name!r} is already registered")
    if problem.direction not in ("minimize", "maximize"):
        raise ValueError(f"direction must be 'minimize' or 'maximize', got {problem.direction!r}")
    _REGISTRY[problem.name] = problem
    return problem


def get(name: str) -> Problem:
    """The problem called ``name``; ``KeyError`` lists the known names."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown problem {name!r}; known: {', '.join(_REGISTRY)}") from None


def names() -> list[str]:
    return list(_REGISTRY)


def tags() -> list[str]:
    return sorted({t for p in _REGISTRY.values() for t in p.tags})


def select(spec: str | Sequence[str] | None = None) -> list[Problem]:
    """Problems named by ``spec``: ``"all"``/``None``, names, or ``tag:NAME`` items.

    Comma-separated items are united, in registry order; ``-name`` or ``-tag:NAME``
    removes problems (``"all,-tag:ml"``).
    """
    items = spec.split(",") if isinstance(spec, str) else list(spec or ["all"])
    chosen: set[str] = set()
    for raw in (i.strip() for i in items):
        if not raw:
            continue
        drop = raw.startswith("-")
        item = raw[1:] if drop else raw
        if item == "all":
            hit = set(_REGISTRY)
        elif item.startswith("tag:"):
            tag = item[4:]
            hit = {n for n, p in _REGISTRY.items() if tag in p.tags}
            if not hit:
                raise KeyError(f"no problem has tag {tag!r}; tags: {', '.join(tags())}")
        else:
            hit = {get(item).name}
        chosen = chosen - hit if drop else chosen | hit
    return [p for n, p in _REGISTRY.items() if n in chosen]


# ---- synthetic problems -------------------------------------------------------------
def _box(prefix: str, d: int, low: float, high: float) -> tuple[Float, ...]:
    return tuple(Float(f"{prefix}{i}", low, high) for i in range(d))


def _vector(fn: Callable[[np.ndarray], float], d: int, shift: np.ndarray | None = None):
    keys = [f"x{i}" for i in range(d)]
    offset = np.zeros(d) if shift is None else shift

    def evaluate(params: dict[str, Any]) -> float:
        return fn(np.array([params[k] for k in keys]) - offset)

    return evaluate


def _continuous(name, fn, d, low, high, optimum, description, shift=None, extra=()):
    register(
        Problem(
            name=name,
            space=_box("x", d, low, high),
            function=_vector(fn, d, shift),
            optimum=optimum,
            tags=frozenset({"synthetic", "continuous", *extra}),
            description=description,
        )
    )


register(
    Problem(
        name="branin",
        space=(Float("x0", -5.0, 10.0), Float("x1", 0.0, 15.0)),
        function=_vector(_synthetic.branin, 2),
        optimum=_synthetic.BRANIN_OPT,
        tags=frozenset({"synthetic", "continuous"}),
        description="Branin, 2-d, [-5,10]x[0,15]",
    )
)
_continuous(
    "hartmann3", _synthetic.hartmann3, 3, 0.0, 1.0, _synthetic.HARTMANN3_OPT,
    "Hartmann, 3-d, [0,1]^3",
)  # fmt: skip
_continuous(
    "hartmann6", _synthetic.hartmann6, 6, 0.0, 1.0, _synthetic.HARTMANN6_OPT,
    "Hartmann, 6-d, [0,1]^6",
)  # fmt: skip
for _d in (5, 10):
    _continuous(
        f"rosenbrock{_d}", _synthetic.rosenbrock, _d, -5.0, 10.0, 0.0,
        f"Rosenbrock, {_d}-d, [-5,10]^{_d}",
    )  # fmt: skip
for _d in (5, 10):
    _continuous(
        f"ackley{_d}", _synthetic.ackley, _d, -32.768, 32.768, 0.0,
        f"Ackley, {_d}-d, [-32.768,32.768]^{_d}, optimum shifted off the centre",
        shift=_synthetic.ackley_shift(_d), extra=("multimodal",),
    )  # fmt: skip
_continuous(
    "levy5", _synthetic.levy, 5, -10.0, 10.0, 0.0, "Levy, 5-d, [-10,10]^5",
    extra=("multimodal",),
)  # fmt: skip
for _d in (5, 20):
    _continuous(
        f"styblinski_tang{_d}", _synthetic.styblinski_tang, _d, -5.0, 5.0,
        _synthetic.STYBLINSKI_TANG_OPT_PER_DIM * _d, f"Styblinski-Tang, {_d}-d, [-5,5]^{_d}",
        extra=("multimodal",),
    )  # fmt: skip


# Hartmann-6 with noise: the optimizer sees value + N(0, 0.1^2).
register(
    Problem(
        name="hartmann6_noisy",
        space=_box("x", 6, 0.0, 1.0),
        function=_vector(_synthetic.hartmann6, 6),
        optimum=_synthetic.HARTMANN6_OPT,
        tags=frozenset({"synthetic", "continuous", "noisy"}),
        noise_sd=0.1,
        description="Hartmann-6 + N(0, 0.1²) noise; scored by the noiseless value",
    )
)


# Mixed: floats, ints (one log-scaled) and categoricals, with an interaction between
# the categorical c2 and where x0 is best. Optimum 0 at
# x0 = -2.0, x1 = -0.7, n0 = 13, n1 = 100, c1 = "b", c2 = "tanh".
_MIXED_SHIFT = {"relu": 1.3, "tanh": -2.0, "sigmoid": 3.1}
_MIXED_C2 = {"relu": 0.3, "tanh": 0.0, "sigmoid": 0.6}
_MIXED_C1 = {"a": 0.5, "b": 0.0, "c": 1.0, "d": 2.0}


def _mixed(p: dict[str, Any]) -> float:
    u = p["x0"] - _MIXED_SHIFT[p["c2"]]
    v = p["x1"] + 0.7
    return float(
        u**2 + v**2 + 0.3 * u * v
        + 0.05 * (p["n0"] - 13) ** 2
        + (math.log10(p["n1"]) - 2.0) ** 2
        + _MIXED_C1[p["c1"]] + _MIXED_C2[p["c2"]]
    )  # fmt: skip


register(
    Problem(
        name="mixed",
        space=(
            Float("x0", -5.0, 5.0),
            Float("x1", -5.0, 5.0),
            Int("n0", 0, 20),
            Int("n1", 1, 1000, log=True),
            Cat("c1", ("a", "b", "c", "d")),
            Cat("c2", ("relu", "tanh", "sigmoid")),
        ),
        function=_mixed,
        optimum=0.0,
        tags=frozenset({"synthetic", "mixed", "log"}),
        description="2 floats, 2 ints (1 log), 2 categoricals; optimum 0 by construction",
    )
)


# Conditional: "branch" picks a sub-space. Branch a bottoms out at 0.5, c at 0.3 and
# b (a float, an int and a log-scaled float) at 0 for y0 = 0.73, y1 = 7, y2 = 10^-2.5.
_COND_C = {"u": 0.0, "v": 0.2, "w": 0.5}


def _conditional(p: dict[str, Any]) -> float:
    if p["branch"] == "a":
        return 0.5 + (p["a0"] - 2.0) ** 2 + (p["a1"] + 1.0) ** 2
    if p["branch"] == "b":
        return (
            10 * (p["b0"] - 0.73) ** 2 + 0.1 * (p["b1"] - 7) ** 2 + (math.log10(p["b2"]) + 2.5) ** 2
        )
    return 0.3 + 2 * abs(p["c0"] - 0.4) + _COND_C[p["c1"]]


register(
    Problem(
        name="conditional",
        space=(
            Branch(
                "branch",
                (
                    ("a", (Float("a0", -5.0, 5.0), Float("a1", -5.0, 5.0))),
                    (
                        "b",
                        (
                            Float("b0", 0.0, 1.0),
                            Int("b1", 1, 10),
                            Float("b2", 1e-4, 1.0, log=True),
                        ),
                    ),
                    ("c", (Float("c0", -1.0, 1.0), Cat("c1", ("u", "v", "w")))),
                ),
            ),
        ),
        function=_conditional,
        optimum=0.0,
        tags=frozenset({"synthetic", "conditional", "mixed"}),
        description="branch ∈ {a, b, c}, each with its own parameters; optimum 0 in b",
    )
)


# Log-scaled "learning rate × weight decay" surrogate: a valley in log space (the best
# weight decay moves with the learning rate), and training diverges when the effective
# step lr / (1 - momentum) exceeds 1. Optimum 0 at lr = 10^-2.5, wd = 10^-4.5,
# batch = 128, momentum = 0.9.
def _lr_wd(p: dict[str, Any]) -> float:
    if p["lr"] / (1.0 - p["momentum"]) > 1.0:
        return 10.0
    a = math.log10(p["lr"]) + 2.5
    b = math.log10(p["weight_decay"]) + 4.5 + 0.5 * a
    c = math.log2(p["batch_size"]) - 7.0 - a
    return float(0.5 * a**2 + 0.3 * b**2 + 0.05 * c**2 + 2.0 * (p["momentum"] - 0.9) ** 2)


register(
    Problem(
        name="lr_wd",
        space=(
            Float("lr", 1e-6, 1.0, log=True),
            Float("weight_decay", 1e-8, 1e-1, log=True),
            Int("batch_size", 16, 1024, log=True),
            Float("momentum", 0.0, 0.99),
        ),
        function=_lr_wd,
        optimum=0.0,
        tags=frozenset({"synthetic", "log", "mixed"}),
        description="learning-rate × weight-decay surrogate; decades-wide log parameters",
    )
)


# ---- machine-learning tasks (optimum unknown: see reference.json) --------------------
register(
    Problem(
        name="svc_digits",
        space=(
            Float("C", 1e-3, 1e3, log=True),
            Float("gamma", 1e-5, 10.0, log=True),
            Cat("kernel", ("rbf", "poly", "sigmoid")),
        ),
        function=_ml.svc_digits,
        direction="maximize",
        tags=frozenset({"ml", "log", "mixed"}),
        description="SVC on 400 digits, 3-fold CV accuracy (maximize)",
    )
)
register(
    Problem(
        name="hgb_breast_cancer",
        space=(
            Float("learning_rate", 1e-3, 1.0, log=True),
            Int("max_leaf_nodes", 4, 64, log=True),
            Int("min_samples_leaf", 1, 100, log=True),
            Float("l2_regularization", 1e-6, 10.0, log=True),
        ),
        function=_ml.hgb_breast_cancer,
        tags=frozenset({"ml", "log", "mixed"}),
        description="HistGradientBoosting (20 iterations) on breast_cancer, 3-fold CV log-loss",
    )
)
register(
    Problem(
        name="mlp_digits",
        space=(
            Int("hidden", 4, 128, log=True),
            Float("alpha", 1e-6, 1e-1, log=True),
            Float("learning_rate_init", 1e-4, 1e-1, log=True),
            Cat("batch_size", (64, 128, 256)),
        ),
        function=_ml.mlp_digits,
        direction="maximize",
        tags=frozenset({"ml", "log", "mixed"}),
        description="MLP (≤ 12 epochs, early stopping) on 400 digits, 3-fold CV accuracy",
    )
)
register(
    Problem(
        name="elasticnet_diabetes",
        space=(Float("alpha", 1e-5, 10.0, log=True), Float("l1_ratio", 0.0, 1.0)),
        function=_ml.elasticnet_diabetes,
        tags=frozenset({"ml", "log", "continuous"}),
        description="ElasticNet on diabetes, 3-fold CV mean squared error",
    )
)
