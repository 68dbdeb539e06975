"""Where studies and trials are kept: in memory, or in a SQL database.

Examples
--------
>>> import ahpo
>>> storage = ahpo.storages.SQLStorage("sqlite:///:memory:")
>>> study = ahpo.create_study(storage=storage, study_name="doc")
"""

from __future__ import annotations

from typing import Any

from ahpo.storages._base import BaseStorage, FrozenStudy
from ahpo.storages._factory import get_storage
from ahpo.storages._in_memory import InMemoryStorage

__all__ = [
    "BaseStorage",
    "FrozenStudy",
    "InMemoryStorage",
    "RetryFailedTrialCallback",
    "SQLStorage",
    "get_storage",
]


def __getattr__(name: str) -> Any:
    # SQLAlchemy and Alembic load only when a SQL storage is used.
    if name == "SQLStorage":
        from ahpo.storages._sql.storage import SQLStorage

        return SQLStorage
    if name == "RetryFailedTrialCallback":
        from ahpo.storages._retry import RetryFailedTrialCallback

        return RetryFailedTrialCallback
    raise AttributeError(f"module 'ahpo.storages' has no attribute {name!r}")
