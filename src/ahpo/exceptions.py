"""Every exception ahpo raises on purpose (also importable from :mod:`ahpo`).

Examples
--------
>>> import ahpo
>>> issubclass(ahpo.exceptions.DuplicatedStudyError, ValueError)
True
"""

from ahpo._exceptions import (
    AhpoError,
    DuplicatedStudyError,
    StorageError,
    StorageVersionError,
    TrialPruned,
    UpdateFinishedTrialError,
)

__all__ = [
    "AhpoError",
    "DuplicatedStudyError",
    "StorageError",
    "StorageVersionError",
    "TrialPruned",
    "UpdateFinishedTrialError",
]
