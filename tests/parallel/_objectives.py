"""Objectives for worker processes (importable by module path, so they pickle)."""

from __future__ import annotations

import os
import time
from typing import Any


def quadratic(trial: Any) -> float:
    """A trivial objective whose value is a function of its parameters."""
    x = trial.suggest_float("x", -10.0, 10.0)
    k = trial.suggest_int("k", 0, 5)
    return value_of(x, k)


def value_of(x: float, k: int) -> float:
    return (x - 1.0) ** 2 + k


def slow_quadratic(trial: Any) -> float:
    """:func:`quadratic` that takes ``AHPO_TEST_TRIAL_SECONDS`` (default 0.05) seconds."""
    value = quadratic(trial)
    time.sleep(float(os.environ.get("AHPO_TEST_TRIAL_SECONDS", "0.05")))
    return value


def logged_quadratic(trial: Any) -> float:
    """:func:`quadratic` that appends the trial's number to ``AHPO_TEST_RUN_LOG``."""
    value = quadratic(trial)
    with open(os.environ["AHPO_TEST_RUN_LOG"], "a", encoding="utf-8") as log:
        log.write(f"{trial.number}\n")
    return value


def failing(trial: Any) -> float:
    """Fails with a ValueError the caller can recognise."""
    trial.suggest_float("x", 0.0, 1.0)
    raise ValueError("objective failed on purpose")
