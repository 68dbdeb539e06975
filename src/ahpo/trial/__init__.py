"""Trials: what an objective receives, and the records a study keeps.

Examples
--------
>>> import ahpo
>>> trial = ahpo.trial.FixedTrial({"x": 1.5})
>>> trial.suggest_float("x", 0, 2)
1.5
"""

from ahpo.trial._base import BaseTrial
from ahpo.trial._create import create_trial
from ahpo.trial._fixed import FixedTrial
from ahpo.trial._frozen import FrozenTrial
from ahpo.trial._state import TrialState
from ahpo.trial._trial import Trial

__all__ = ["BaseTrial", "FixedTrial", "FrozenTrial", "Trial", "TrialState", "create_trial"]
