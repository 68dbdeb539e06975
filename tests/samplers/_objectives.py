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
