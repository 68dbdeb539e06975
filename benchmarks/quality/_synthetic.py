"""Synthetic test functions with known optima (all minimized).

Definitions follow the Virtual Library of Simulation Experiments (Surjanovic & Bingham,
https://www.sfu.ca/~ssurjano/optimization.html). Each function takes ``x``, a
``(d,)`` float array, and returns a float.
"""

from __future__ import annotations

import math

import numpy as np

# ---- Branin (2-d) -------------------------------------------------------------------
BRANIN_OPT = 0.39788735772973816


def branin(x: np.ndarray) -> float:
    """Branin–Hoo on ``[-5, 10] x [0, 15]``; three global minima of 0.397887."""
    x1, x2 = x
    b, c = 5.1 / (4 * math.pi**2), 5 / math.pi
    t = 1 / (8 * math.pi)
    return float((x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10)


# ---- Hartmann (3-d and 6-d) ---------------------------------------------------------
_H_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_H3_A = np.array([[3.0, 10, 30], [0.1, 10, 35], [3.0, 10, 30], [0.1, 10, 35]])
_H3_P = 1e-4 * np.array(
    [[3689, 1170, 2673], [4699, 4387, 7470], [1091, 8732, 5547], [381, 5743, 8828]]
)
_H6_A = np.array(
    [
        [10, 3, 17, 3.5, 1.7, 8],
        [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14],
    ]
)
_H6_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)
HARTMANN3_OPT = -3.8627797869493365
HARTMANN6_OPT = -3.3223680114155147


def hartmann3(x: np.ndarray) -> float:
    """Hartmann 3-d on ``[0, 1]^3``; minimum -3.86278."""
    return float(-_H_ALPHA @ np.exp(-np.sum(_H3_A * (np.asarray(x) - _H3_P) ** 2, axis=1)))


def hartmann6(x: np.ndarray) -> float:
    """Hartmann 6-d on ``[0, 1]^6``; minimum -3.32237."""
    return float(-_H_ALPHA @ np.exp(-np.sum(_H6_A * (np.asarray(x) - _H6_P) ** 2, axis=1)))


# ---- scalable functions -------------------------------------------------------------
def rosenbrock(x: np.ndarray) -> float:
    """Rosenbrock on ``[-5, 10]^d``; minimum 0 at ``(1, ..., 1)``."""
    x = np.asarray(x)
    return float(np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))


def ackley_shift(d: int) -> np.ndarray:
    """Where the shifted Ackley has its minimum: fixed, off the centre of the box."""
    return np.random.default_rng(12345).uniform(-16.0, 16.0, size=d)


def ackley(x: np.ndarray) -> float:
    """Ackley on ``[-32.768, 32.768]^d``; minimum 0 at ``0``."""
    x = np.asarray(x)
    d = len(x)
    a = -20 * math.exp(-0.2 * math.sqrt(float(np.sum(x**2)) / d))
    b = -math.exp(float(np.sum(np.cos(2 * math.pi * x))) / d)
    return float(a + b + 20 + math.e)


def levy(x: np.ndarray) -> float:
    """Levy on ``[-10, 10]^d``; minimum 0 at ``(1, ..., 1)``."""
    w = 1 + (np.asarray(x) - 1) / 4
    head = math.sin(math.pi * w[0]) ** 2
    mid = np.sum((w[:-1] - 1) ** 2 * (1 + 10 * np.sin(math.pi * w[:-1] + 1) ** 2))
    tail = (w[-1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[-1]) ** 2)
    return float(head + mid + tail)


STYBLINSKI_TANG_OPT_PER_DIM = -39.16616570377142


def styblinski_tang(x: np.ndarray) -> float:
    """Styblinski–Tang on ``[-5, 5]^d``; minimum -39.16617·d at ``x_i = -2.903534``."""
    x = np.asarray(x)
    return float(0.5 * np.sum(x**4 - 16 * x**2 + 5 * x))
