"""Workers as tasks on a Dask cluster."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ahpo._validation import type_error
from ahpo.parallel._base import BaseExecutor, check_n_workers

T = TypeVar("T")


class DaskExecutor(BaseExecutor):
    """Run each worker as one task on a ``dask.distributed`` cluster.

    Each task opens the study's storage from its URL, so the storage must be a
    database every Dask worker machine reaches (PostgreSQL, or a SQLite file on a
    single machine). Install ``ahpo[dask]``.

    Parameters
    ----------
    client
        A connected ``dask.distributed.Client``.
    n_workers
        Tasks (optimization workers) to run at once; defaults to the number of
        threads of the cluster's workers when the executor is used.

    Examples
    --------
    >>> from ahpo.parallel import DaskExecutor
    >>> DaskExecutor(client=None)  # doctest: +SKIP
    """

    def __init__(self, client: Any, n_workers: int | None = None) -> None:
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise ImportError(
                "DaskExecutor needs dask.distributed: pip install 'ahpo[dask]'"
            ) from exc
        if not isinstance(client, Client):
            raise type_error(
                "client", "a dask.distributed.Client", client, owner="DaskExecutor"
            )
        self.client = client
        self._n_workers = None if n_workers is None else check_n_workers(n_workers, "DaskExecutor")

    @property
    def n_workers(self) -> int:  # type: ignore[override]
        if self._n_workers is not None:
            return self._n_workers
        threads = self.client.nthreads()
        return max(1, sum(threads.values()))

    def __repr__(self) -> str:
        return f"DaskExecutor({self.client!r}, n_workers={self._n_workers})"

    def map(self, fn: Callable[[Any], T], args: Sequence[Any]) -> list[T]:
        from distributed import wait

        # pure=False: equal arguments must still run as separate tasks.
        futures = [self.client.submit(fn, arg, pure=False) for arg in args]
        wait(futures)
        return list(self.client.gather(futures))
