"""Objectives shared by the sampler tests."""

import math

BRANIN_OPT = 0.397887357729739


def branin(trial):
    """Branin on [-5, 10] x [0, 15]; minimum ``BRANIN_OPT`` at three points."""
    x = trial.suggest_float("x", -5, 10)
    y = trial.suggest_float("y", 0, 15)
    return (
        (y - 5.1 / (4 * math.pi**2) * x**2 + 5 / math.pi * x - 6) ** 2
        + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x)
        + 10
    )


def grid36(trial):
    """A deterministic objective on 4 * 3 * 3 = 36 points, best at (3, 0.5, "b")."""
    k = trial.suggest_int("k", 0, 3)
    frac = trial.suggest_float("frac", 0.3, 0.7, step=0.2)  # 0.3, 0.5, 0.7: inexact floats
    kind = trial.suggest_categorical("kind", ["a", "b", "c"])
    return (k - 3) ** 2 + abs(frac - 0.5) + (kind != "b")

