"""Workers as threads of this process."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor as _Pool
from typing import Any, TypeVar

from ahpo.parallel._base import BaseExecutor, check_n_workers

T = TypeVar("T")


class ThreadExecutor(BaseExecutor):
    """Run the workers as threads of this process (what ``n_jobs`` does).

    Threads share the study object, so any storage works, the in-memory one
    included. Objectives that hold the GIL gain little; use
    :class:`ProcessExecutor` for those.

    Parameters
    ----------
    n_workers
        Threads running trials at once.

    Examples
    --------
    >>> import ahpo
    >>> from ahpo.parallel import ThreadExecutor
    >>> study = ahpo.create_study()
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=8,
    ...                executor=ThreadExecutor(2))
    >>> len(study.trials)
    8
    """

    shares_memory = True

    def __init__(self, n_workers: int = 2) -> None:
        self.n_workers = check_n_workers(n_workers, "ThreadExecutor")

    def __repr__(self) -> str:
        return f"ThreadExecutor(n_workers={self.n_workers})"

    def map(self, fn: Callable[[Any], T], args: Sequence[Any]) -> list[T]:
        with _Pool(max_workers=self.n_workers, thread_name_prefix="ahpo-worker") as pool:
            return list(pool.map(fn, args))
