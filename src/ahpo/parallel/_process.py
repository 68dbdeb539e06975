"""Workers as local processes."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ahpo._validation import invalid
from ahpo.parallel._base import BaseExecutor, check_n_workers

T = TypeVar("T")
_START_METHODS = ("spawn", "forkserver", "fork")


class ProcessExecutor(BaseExecutor):
    """Run each worker in its own local process.

    Every process opens the study's storage again from its URL, so the storage must
    be a database several processes can share (a SQLite file or PostgreSQL), and
    the objective, sampler and callbacks must pickle (module-level functions).

    Parameters
    ----------
    n_workers
        Processes running trials at once.
    start_method
        ``"spawn"`` (the default: safe with threads and database connections),
        ``"forkserver"`` or ``"fork"``.

    Examples
    --------
    >>> from ahpo.parallel import ProcessExecutor
    >>> ProcessExecutor(4)
    ProcessExecutor(n_workers=4, start_method='spawn')
    """

    def __init__(self, n_workers: int = 2, start_method: str = "spawn") -> None:
        self.n_workers = check_n_workers(n_workers, "ProcessExecutor")
        if start_method not in _START_METHODS:
            raise invalid(
                "start_method", f"one of {_START_METHODS}", start_method, owner="ProcessExecutor"
            )
        self.start_method = start_method

    def __repr__(self) -> str:
        return f"ProcessExecutor(n_workers={self.n_workers}, start_method={self.start_method!r})"

    def map(self, fn: Callable[[Any], T], args: Sequence[Any]) -> list[T]:
        for arg in args:
            try:
                pickle.dumps(arg)
            except Exception as exc:
                raise TypeError(
                    "ProcessExecutor sends each worker's work to a new process by pickle, "
                    "so the objective, sampler, pruner and callbacks must pickle "
                    f"(module-level functions, not lambdas or closures): {exc}"
                ) from exc
        # Imported here: `import ahpo` does not load multiprocessing.
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, wait

        context = multiprocessing.get_context(self.start_method)
        with ProcessPoolExecutor(max_workers=self.n_workers, mp_context=context) as pool:
            futures = [pool.submit(fn, arg) for arg in args]
            wait(futures)
            return [future.result() for future in futures]
