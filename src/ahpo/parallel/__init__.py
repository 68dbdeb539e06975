"""Where trials run: threads, local processes, a Dask cluster or Ray.

Pass an executor to :meth:`ahpo.Study.optimize`. Threads share the study object;
every other executor starts workers that each open the study's storage from its URL,
so the study must live in a database they can all reach (a SQLite file for local
processes, PostgreSQL across machines). The trial budget is split into one exact
share per worker.

Examples
--------
>>> import ahpo
>>> from ahpo.parallel import ThreadExecutor
>>> study = ahpo.create_study()
>>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=4,
...                executor=ThreadExecutor(2))
>>> len(study.trials)
4
"""

from __future__ import annotations

from ahpo.parallel._base import BaseExecutor
from ahpo.parallel._dask import DaskExecutor
from ahpo.parallel._process import ProcessExecutor
from ahpo.parallel._ray import RayExecutor
from ahpo.parallel._signals import WorkerShutdown, critical, graceful_shutdown
from ahpo.parallel._thread import ThreadExecutor

__all__ = [
    "BaseExecutor",
    "DaskExecutor",
    "ProcessExecutor",
    "RayExecutor",
    "ThreadExecutor",
    "WorkerShutdown",
    "critical",
    "graceful_shutdown",
]
