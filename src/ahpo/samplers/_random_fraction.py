"""BOHB's random fraction: a share of the trials past the start-up ignore the model."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from ahpo._validation import invalid


class RandomFraction:
    """Decides once per trial whether it is drawn at random.

    The draw happens at the trial's first call and is remembered (per thread) for its
    other parameters, so a trial is either all model or all random.

    Parameters
    ----------
    fraction
        Probability in ``[0, 1)``; 0 never draws.
    owner
        The sampler named in a validation error.

    Examples
    --------
    >>> import numpy as np
    >>> share = RandomFraction(0.5, owner="TPESampler")
    >>> rng = np.random.default_rng(0)
    >>> first = share("study", 7, rng)
    >>> share("study", 7, rng) == first  # the same trial: no new draw
    True
    """

    def __init__(self, fraction: float, *, owner: str) -> None:
        if (
            isinstance(fraction, bool)
            or not isinstance(fraction, (int, float))
            or not 0 <= fraction < 1
        ):
            raise invalid("random_fraction", "a number in [0, 1)", fraction, owner=owner)
        self.fraction = float(fraction)
        self._memo = threading.local()

    def __getstate__(self) -> dict[str, Any]:
        return {"fraction": self.fraction}  # the memo is per thread, not state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.fraction = state["fraction"]
        self._memo = threading.local()

    def __call__(self, study_name: str, number: int, rng: np.random.Generator) -> bool:
        """Whether trial ``number`` of ``study_name`` is drawn at random."""
        if not self.fraction:
            return False
        memo = getattr(self._memo, "last", None)
        if memo is None or memo[0] != (study_name, number):
            memo = ((study_name, number), bool(rng.random() < self.fraction))
            self._memo.last = memo
        return memo[1]
