"""Integrations that report a training loop's progress to a trial and prune it.

Each integration is an optional extra, imported only when its name is first used:

- :class:`LightGBMPruningCallback` (``pip install 'ahpo[lightgbm]'``),
- :class:`XGBoostPruningCallback` (``pip install 'ahpo[xgboost]'``),
- :func:`fit_with_pruning` for scikit-learn estimators with ``partial_fit`` or
  ``warm_start`` (``pip install 'ahpo[sklearn]'``).

The names are Optuna's (``optuna.integration``), so code written with
``import ahpo as optuna`` keeps working.

Examples
--------
>>> import ahpo.integration
>>> ahpo.integration.__all__
['LightGBMPruningCallback', 'XGBoostPruningCallback', 'fit_with_pruning']
"""

from __future__ import annotations

import importlib
from typing import Any

_MODULES = {
    "LightGBMPruningCallback": "ahpo.integration._lightgbm",
    "XGBoostPruningCallback": "ahpo.integration._xgboost",
    "fit_with_pruning": "ahpo.integration._sklearn",
}

__all__ = sorted(_MODULES)


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'ahpo.integration' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return __all__
