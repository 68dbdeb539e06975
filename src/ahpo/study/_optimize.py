"""The optimization loop: run trials until the budget, time or grid runs out."""

from __future__ import annotations

import contextlib
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
    error: BaseException | None = None
    try:
        with Heartbeat(study, trial_id):
            try:
                if space is not None:
                    trial.space_params = trial.suggest_space(space)
                result = func(trial.space_params if space is not None else trial)
            except TrialPruned:
                return study.tell(trial, state=TrialState.PRUNED, skip_if_finished=True)
            except BaseException as exc:
                error = exc
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
    finally:
        running.discard(trial_id)


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
) -> None:
    """Run ``func`` on new trials; see :meth:`Study.optimize` for the contract."""
    if not callable(func):
        raise type_error("func", "a callable", func, owner="Study.optimize")
    n_jobs, catch_tuple, cbs = _validate(n_trials, timeout, n_jobs, catch, callbacks)
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
            fail_stale_trials(study)
            return study.ask()

    def worker() -> None:
        while (trial := next_trial()) is not None:
            try:
                frozen = _run_trial(study, trial, func, catch_tuple, space, running)
            except BaseException:
                study._stop_flag = True
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
