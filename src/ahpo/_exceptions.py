"""The exception hierarchy of ahpo.

Every exception ahpo raises on purpose derives from :class:`AhpoError`; where a
built-in exception fits, the class inherits it too, so ``except ValueError`` keeps
working for code written against Optuna or plain Python.
"""

from __future__ import annotations

__all__ = [
    "AhpoError",
    "DuplicatedStudyError",
    "StorageError",
    "StorageVersionError",
    "TrialPruned",
    "UpdateFinishedTrialError",
]


class AhpoError(Exception):
    """Base class of every error ahpo raises on purpose."""


class TrialPruned(AhpoError):
    """Raise inside an objective to stop the trial early and mark it PRUNED.

    Examples
    --------
    >>> import ahpo
    >>> def objective(trial):
    ...     trial.report(1.0, step=0)
    ...     if trial.should_prune():
    ...         raise ahpo.TrialPruned()
    ...     return 1.0
    """


class DuplicatedStudyError(AhpoError, ValueError):
    """A study with the requested name already exists in the storage."""


class UpdateFinishedTrialError(AhpoError, RuntimeError):
    """A finished trial (COMPLETE, PRUNED or FAIL) was asked to change."""


class StorageError(AhpoError, RuntimeError):
    """The storage backend failed; the message carries the backend's reason."""


class StorageVersionError(StorageError):
    """The database was written by a newer ahpo, or is not an ahpo database."""
