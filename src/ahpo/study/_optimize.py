"""The optimization loop: run trials until the budget, time or grid runs out."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import logging
import os
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from ahpo._exceptions import TrialPruned, UpdateFinishedTrialError
from ahpo._validation import invalid, type_error
from ahpo.logging import get_logger
from ahpo.parallel import BaseExecutor, ThreadExecutor, critical, graceful_shutdown
from ahpo.pruners import BasePruner
from ahpo.samplers._base import BaseSampler
from ahpo.storages import BaseStorage
from ahpo.study._heartbeat import Heartbeat, fail_stale_trials
from ahpo.study._tell import fail_untold
from ahpo.trial._frozen import FAIL_REASON_KEY, FrozenTrial
from ahpo.trial._state import TrialState

if TYPE_CHECKING:
    from ahpo.study._study import Study
    from ahpo.trial._trial import Trial

_logger = get_logger(__name__)
Callback = Callable[["Study", FrozenTrial], None]


class _Budget:
    """A thread-safe count of trials still to start (``None`` means unlimited)."""

    def __init__(self, n_trials: int | None) -> None:
        self._left = n_trials
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self._left is None:
                return True
            if self._left <= 0:
                return False
            self._left -= 1
            return True


def _validate(
    n_trials: int | None, timeout: float | None, n_jobs: int, catch: Any, callbacks: Any
) -> tuple[int, tuple[type[BaseException], ...], list[Callback]]:
    owner = "Study.optimize"
    if n_trials is not None and (
        isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 0
    ):
        raise invalid("n_trials", "None or an int >= 0", n_trials, owner=owner)
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0
    ):
        raise invalid("timeout", "None or a number of seconds >= 0", timeout, owner=owner)
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0 or n_jobs < -1:
        raise invalid("n_jobs", "a positive int or -1 (one per CPU)", n_jobs, owner=owner)
    if n_jobs == -1:
        n_jobs = os.cpu_count() or 1
    if isinstance(catch, type):
        catch = (catch,)
    catch = tuple(catch)
    if not all(isinstance(c, type) and issubclass(c, BaseException) for c in catch):
        raise type_error("catch", "an exception class or a tuple of them", catch, owner=owner)
    if callbacks is None:
        callbacks = []
    elif isinstance(callbacks, Iterable):
        callbacks = list(callbacks)
    else:
        raise type_error("callbacks", "a list of callables", callbacks, owner=owner)
    for cb in callbacks:
        if not callable(cb):
            raise type_error("callbacks", "a list of callables", cb, owner=owner)
    return n_jobs, catch, callbacks


def _call(
    trial: Trial, func: Callable[..., Any], space: Mapping[str, Any] | None
) -> tuple[Any, BaseException | None]:
    """``(result, None)`` or ``(None, the exception the objective raised)``."""
    try:
        if space is not None:
            trial.space_params = trial.suggest_space(space)
        return func(trial.space_params if space is not None else trial), None
    except BaseException as exc:
        return None, exc


def _run_trial(
    study: Study,
    trial: Trial,
    func: Callable[..., Any],
    catch: tuple[type[BaseException], ...],
    space: Mapping[str, Any] | None,
    running: set[int],
) -> FrozenTrial:
    trial_id = trial._trial_id
    running.add(trial_id)
    try:
        try:
            with Heartbeat(study, trial_id):
                result, error = _call(trial, func, space)
        except BaseException as exc:
            # Starting or stopping the heartbeat failed, or a shutdown signal landed
            # there (it writes to the storage): the trial is told FAIL all the same.
            result, error = None, exc
        # A shutdown signal waits until the trial is told.
        with critical():
            return _tell_outcome(study, trial, result, error, catch)
    finally:
        running.discard(trial_id)


def _tell_outcome(
    study: Study,
    trial: Trial,
    result: Any,
    error: BaseException | None,
    catch: tuple[type[BaseException], ...],
) -> FrozenTrial:
    trial_id = trial._trial_id
    if isinstance(error, TrialPruned):
        return study.tell(trial, state=TrialState.PRUNED, skip_if_finished=True)
    if error is None:
        if result is None:
            _fail(study, trial_id, "The objective returned None; it must return a number.")
            return study.tell(trial, state=TrialState.FAIL, skip_if_finished=True)
        return study.tell(trial, values=result, skip_if_finished=True)
    interrupted = not isinstance(error, Exception)
    reason = (
        f"Interrupted by {type(error).__name__}."
        if interrupted
        else f"{type(error).__name__}: {error}"
    )
    _fail(study, trial_id, reason)
    if not interrupted:
        _logger.warning(
            "Trial %d failed with %s",
            trial.number,
            "".join(traceback.format_exception(type(error), error, error.__traceback__)),
        )
    frozen = study.tell(trial, state=TrialState.FAIL, skip_if_finished=True)
    if interrupted or not isinstance(error, catch):
        raise error
    return frozen


def _fail(study: Study, trial_id: int, reason: str) -> None:
    # The trial may be finished already, e.g. by an interrupt or a stale-heartbeat check.
    with contextlib.suppress(UpdateFinishedTrialError):
        study._storage.set_trial_system_attr(trial_id, FAIL_REASON_KEY, reason)


def optimize(
    study: Study,
    func: Callable[..., Any],
    n_trials: int | None = None,
    timeout: float | None = None,
    n_jobs: int = 1,
    catch: Iterable[type[BaseException]] | type[BaseException] = (),
    callbacks: Iterable[Callback] | None = None,
    gc_after_trial: bool = False,
    show_progress_bar: bool = False,
    space: Mapping[str, Any] | None = None,
    executor: BaseExecutor | None = None,
) -> None:
    """Run ``func`` on new trials; see :meth:`Study.optimize` for the contract."""
    if not callable(func):
        raise type_error("func", "a callable", func, owner="Study.optimize")
    n_jobs, catch_tuple, cbs = _validate(n_trials, timeout, n_jobs, catch, callbacks)
    if executor is not None:
        n_jobs = _check_executor(study, executor, n_jobs, show_progress_bar)
        if not isinstance(executor, ThreadExecutor):
            share = _Share(
                storage=study._storage,
                study_name=study.study_name,
                sampler=study.sampler,
                pruner=study.pruner,
                func=func,
                n_trials=None,
                timeout=timeout,
                catch=catch_tuple,
                callbacks=tuple(cbs),
                gc_after_trial=gc_after_trial,
                space=space,
            )
            executor.map(_run_share, _split(share, n_trials, executor.n_workers))
            return
    _run_local(
        study, func, n_trials, timeout, n_jobs, catch_tuple, cbs, gc_after_trial,
        show_progress_bar, space,
    )


def _run_local(
    study: Study,
    func: Callable[..., Any],
    n_trials: int | None,
    timeout: float | None,
    n_jobs: int,
    catch_tuple: tuple[type[BaseException], ...],
    cbs: list[Callback],
    gc_after_trial: bool,
    show_progress_bar: bool,
    space: Mapping[str, Any] | None,
) -> None:
    """The loop of one process: ``n_jobs`` threads ask, run and tell trials."""
    budget = _Budget(n_trials)
    deadline = None if timeout is None else time.monotonic() + timeout
    running: set[int] = set()
    study._stop_flag = False
    progress = _progress(show_progress_bar, n_trials, timeout)
    lock = threading.Lock()
    ask_lock = threading.Lock()

    def next_trial() -> Trial | None:
        # One thread at a time decides whether to start a trial and creates it, so a
        # finished grid or budget is never over-run by the threads of this process.
        with ask_lock:
            if study._stop_flag:
                return None
            if deadline is not None and time.monotonic() >= deadline:
                return None
            if study.sampler.is_exhausted(study.view) or not budget.take():
                return None
            trial = None
            try:
                with critical():  # a shutdown signal waits until the trial exists
                    fail_stale_trials(study)
                    trial = study.ask()
            except KeyboardInterrupt:
                if trial is not None:
                    fail_untold(study._storage, trial._trial_id, "Interrupted before it ran.")
                raise
            return trial

    def worker() -> None:
        while (trial := next_trial()) is not None:
            try:
                frozen = _run_trial(study, trial, func, catch_tuple, space, running)
            except BaseException:
                study._stop_flag = True
                # A signal between two statements may skip the tell: the trial must not
                # stay RUNNING (a no-op once it is told).
                with critical():
                    fail_untold(study._storage, trial._trial_id, "Interrupted before it was told.")
                raise
            if _logger.isEnabledFor(logging.INFO):
                _log_trial(study, frozen)
            with lock:
                if progress is not None:
                    progress.update(1)
                    if frozen.state == TrialState.COMPLETE and len(study.directions) == 1:
                        progress.set_postfix(best=study.best_value, refresh=False)
                for cb in cbs:
                    cb(study, frozen)
            if gc_after_trial:
                gc.collect()

    try:
        if n_jobs == 1:
            worker()
        else:
            with ThreadPoolExecutor(max_workers=n_jobs, thread_name_prefix="ahpo") as pool:
                futures = [pool.submit(worker) for _ in range(n_jobs)]
                try:
                    done, _ = wait(futures, return_when=FIRST_EXCEPTION)
                except BaseException:
                    study._stop_flag = True
                    _fail_running(study, running, "Interrupted while running in a worker thread.")
                    raise
                for f in done:
                    if f.exception() is not None:
                        study._stop_flag = True
                        wait(futures)
                        raise f.exception()  # type: ignore[misc]
    finally:
        study._stop_flag = False
        if progress is not None:
            progress.close()


def _log_trial(study: Study, frozen: FrozenTrial) -> None:
    if frozen.state != TrialState.COMPLETE:
        _logger.info("Trial %d finished as %s.", frozen.number, frozen.state.name)
        return
    shown = frozen.values[0] if len(frozen.values or ()) == 1 else frozen.values
    best = ""
    if len(study.directions) == 1:
        top = study.best_trial
        best = f" Best is trial {top.number} with value {top.values[0]!r}."  # type: ignore[index]
    _logger.info(
        "Trial %d finished with value %r and parameters %r.%s",
        frozen.number, shown, frozen.params, best,
    )


def _fail_running(study: Study, running: set[int], reason: str) -> None:
    for trial_id in list(running):
        fail_untold(study._storage, trial_id, reason)


def _progress(show: bool, n_trials: int | None, timeout: float | None) -> Any:
    if not show:
        return None
    from tqdm.auto import tqdm

    if n_trials is None and timeout is not None:
        return tqdm(desc=f"trials (timeout {timeout:g}s)", unit="trial")
    return tqdm(total=n_trials, unit="trial")


def _check_executor(
    study: Study, executor: Any, n_jobs: int, show_progress_bar: bool
) -> int:
    """The thread count for the local loop; errors for what an executor cannot do."""
    owner = "Study.optimize"
    if not isinstance(executor, BaseExecutor):
        raise type_error("executor", "None or an ahpo.parallel executor", executor, owner=owner)
    if n_jobs != 1:
        raise invalid("n_jobs", "1 when an executor is given (it sets the workers)", n_jobs,
                      owner=owner)
    if executor.shares_memory:
        return executor.n_workers
    if show_progress_bar:
        raise invalid(
            "show_progress_bar", f"False with {type(executor).__name__} (workers run elsewhere)",
            show_progress_bar, owner=owner,
        )
    if not getattr(study._storage, "shareable", False):
        raise invalid(
            "executor",
            "a ThreadExecutor unless the study's storage is a database other processes can "
            "open (a SQLite file or PostgreSQL URL; the in-memory storage and "
            f"'sqlite:///:memory:' are private to this process). Storage: {study._storage!r}",
            executor, owner=owner,
        )
    return 1


@dataclasses.dataclass(frozen=True)
class _Share:
    """What one remote worker runs: its share of the budget against the same study."""

    storage: BaseStorage
    study_name: str
    sampler: BaseSampler
    pruner: BasePruner
    func: Callable[..., Any]
    n_trials: int | None
    timeout: float | None
    catch: tuple[type[BaseException], ...]
    callbacks: tuple[Callback, ...]
    gc_after_trial: bool
    space: Mapping[str, Any] | None


def _split(share: _Share, n_trials: int | None, n_workers: int) -> list[_Share]:
    """One share per worker; ``n_trials`` split exactly (no worker gets 0)."""
    if n_trials is None:
        return [share] * n_workers
    n = min(n_workers, n_trials)
    return [
        dataclasses.replace(share, n_trials=n_trials // n + (i < n_trials % n)) for i in range(n)
    ]


def _run_share(share: _Share) -> int:
    """Run one worker's share in this process; return how many trials it finished.

    The worker opens the storage again (pickled as its URL), draws a fresh sampler
    seed so workers do not repeat each other, and stops cleanly on SIGTERM/Ctrl-C.
    """
    from ahpo.study._study import Study

    with graceful_shutdown():
        study = Study(share.study_name, share.storage, share.sampler, share.pruner)
        study.sampler.reseed_rng()
        finished: list[int] = []
        try:
            _run_local(
                study, share.func, share.n_trials, share.timeout, 1, share.catch,
                [*share.callbacks, lambda _s, t: finished.append(t.number)],
                share.gc_after_trial, False, share.space,
            )
        finally:
            study._storage.close()
    return len(finished)
