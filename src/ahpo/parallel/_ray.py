"""Workers as Ray tasks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ahpo._validation import type_error
from ahpo.parallel._base import BaseExecutor, check_n_workers

T = TypeVar("T")


class RayExecutor(BaseExecutor):
    """Run each worker as one Ray task (``ray.init`` is called if Ray is not running).

    Each task opens the study's storage from its URL, so the storage must be a
    database every Ray node reaches. Install ``ahpo[ray]``.

    Parameters
    ----------
    n_workers
        Tasks (optimization workers) to run at once.
    remote_options
        Options for ``ray.remote`` such as ``{"num_cpus": 1}``.

    Examples
    --------
    >>> from ahpo.parallel import RayExecutor
    >>> RayExecutor(4)
    RayExecutor(n_workers=4)
    """

    def __init__(self, n_workers: int = 2, remote_options: dict[str, Any] | None = None) -> None:
        self.n_workers = check_n_workers(n_workers, "RayExecutor")
        if remote_options is not None and not isinstance(remote_options, dict):
            raise type_error(
                "remote_options", "None or a dict", remote_options, owner="RayExecutor"
            )
        self.remote_options = dict(remote_options or {})

    def __repr__(self) -> str:
        return f"RayExecutor(n_workers={self.n_workers})"

    def map(self, fn: Callable[[Any], T], args: Sequence[Any]) -> list[T]:
        try:
            import ray
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise ImportError("RayExecutor needs Ray: pip install 'ahpo[ray]'") from exc
        if not ray.is_initialized():
            ray.init(ignore_reinit_error=True, include_dashboard=False, log_to_driver=False)
        task = ray.remote(**self.remote_options)(fn) if self.remote_options else ray.remote(fn)
        refs = [task.remote(arg) for arg in args]
        ray.wait(refs, num_returns=len(refs))
        return list(ray.get(refs))
