"""The executor protocol: run one picklable function for each of several workers."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ahpo._validation import invalid, type_error

T = TypeVar("T")


def check_n_workers(n_workers: Any, owner: str) -> int:
    """``n_workers`` if it is an int >= 1, else the error that names it."""
    if isinstance(n_workers, bool) or not isinstance(n_workers, int):
        raise type_error("n_workers", "an int >= 1", n_workers, owner=owner)
    if n_workers < 1:
        raise invalid("n_workers", "an int >= 1", n_workers, owner=owner)
    return n_workers


class BaseExecutor(ABC):
    """Where the workers of :meth:`ahpo.Study.optimize` run.

    An executor knows nothing about studies: it runs ``fn(arg)`` once for each
    argument, each call on its own worker, and returns the results in order. The
    study builds the arguments (a share of the trial budget each) and ``fn`` (a
    module-level function, so it pickles).

    Attributes
    ----------
    n_workers
        How many calls run at once (the study splits its budget into this many
        shares).
    shares_memory
        ``True`` when the calls run in this process (threads): the study object
        itself is used, so any storage works. Otherwise each worker opens the
        storage again from its URL.
    """

    n_workers: int
    shares_memory: bool = False

    @abstractmethod
    def map(self, fn: Callable[[Any], T], args: Sequence[Any]) -> list[T]:
        """Run ``fn(arg)`` for every ``arg`` concurrently; return the results in order.

        The first exception raised by a call is raised here once every call has
        ended.
        """
