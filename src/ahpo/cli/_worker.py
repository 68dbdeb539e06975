"""``ahpo worker``: run trials of a shared study on this machine until a budget ends."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from typing import Any

import click

import ahpo
from ahpo.cli._commands import _redact, _storage_option, _study_option
from ahpo.parallel import WorkerShutdown, graceful_shutdown
from ahpo.samplers import RandomSampler, TPESampler
from ahpo.samplers._base import BaseSampler

#: States that use up a study-wide ``--max-trials`` budget. RUNNING trials count so
#: that workers do not all start the last trial; a lost worker's trial turns FAIL
#: (after the grace period) and stops counting, so another worker runs one more.
COUNTED_STATES = (ahpo.TrialState.COMPLETE, ahpo.TrialState.PRUNED, ahpo.TrialState.RUNNING)
_SAMPLERS: dict[str, Callable[[int | None], BaseSampler]] = {
    "tpe": lambda seed: TPESampler(seed=seed),
    "random": lambda seed: RandomSampler(seed=seed),
}


def load_objective(spec: str) -> Callable[..., Any]:
    """The function named by ``"package.module:function"`` (the working directory is
    importable, as with ``python -m``)."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise click.BadParameter(
            f"must be 'module:function', e.g. 'train:objective'. Got {spec!r}.",
            param_hint="--objective",
        )
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise click.BadParameter(
            f"cannot import module {module_name!r}: {exc}", param_hint="--objective"
        ) from None
    func = module
    for part in attr.split("."):
        func = getattr(func, part, None)  # type: ignore[assignment]
        if func is None:
            raise click.BadParameter(
                f"module {module_name!r} has no attribute {attr!r}.", param_hint="--objective"
            )
    if not callable(func):
        raise click.BadParameter(f"{spec!r} is not callable.", param_hint="--objective")
    return func  # type: ignore[return-value]


class _StopAtTotal:
    """Callback: stop this worker once the study holds ``total`` counted trials."""

    def __init__(self, total: int) -> None:
        self.total = total

    def reached(self, study: ahpo.Study) -> bool:
        return study._storage.get_n_trials(study._study_id, COUNTED_STATES) >= self.total

    def __call__(self, study: ahpo.Study, _trial: ahpo.FrozenTrial) -> None:
        if self.reached(study):
            study.stop()


def _open_storage(url: str, heartbeat: float, grace: float | None, max_retry: int | None) -> Any:
    from ahpo.storages import RetryFailedTrialCallback, SQLStorage

    callback = None if max_retry is None else RetryFailedTrialCallback(max_retry=max_retry)
    try:
        return SQLStorage(
            url,
            heartbeat_interval=heartbeat if heartbeat > 0 else None,
            grace_period=grace if heartbeat > 0 else None,
            failed_trial_callback=callback,
        )
    except (ahpo.AhpoError, ValueError, TypeError, ImportError) as exc:
        raise click.ClickException(f"Cannot open storage {_redact(url)}: {exc}") from None


@click.command()
@_study_option
@_storage_option
@click.option("--objective", required=True, metavar="MODULE:FUNCTION",
              help="The objective, e.g. train:objective (imported from the working directory).")
@click.option("--n-trials", type=click.IntRange(min=0), default=None,
              help="Trials this worker runs; default: until another limit is reached.")
@click.option("--max-trials", type=click.IntRange(min=0), default=None,
              help="Stop once the study holds this many COMPLETE, PRUNED or RUNNING trials "
                   "(all workers together; may be exceeded by fewer than the number of workers).")
@click.option("--timeout", type=click.FloatRange(min=0), default=None,
              help="Seconds after which this worker starts no new trial.")
@click.option("--sampler", type=click.Choice(sorted(_SAMPLERS)), default="tpe", show_default=True)
@click.option("--seed", type=int, default=None, help="Sampler seed (give each worker its own).")
@click.option("--heartbeat-interval", type=click.FloatRange(min=0), default=10.0,
              show_default=True, help="Seconds between heartbeats; 0 disables them. Use the "
              "same value on every worker of a study.")
@click.option("--grace-period", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds without heartbeat before a running trial is failed "
                   "(default: twice the interval).")
@click.option("--max-retry", type=click.IntRange(min=0), default=None,
              help="Re-queue a trial lost with its worker up to this many times.")
@click.option("--catch-errors", is_flag=True,
              help="An exception in the objective fails its trial and the worker goes on.")
def worker(
    study_name: str,
    storage: str,
    objective: str,
    n_trials: int | None,
    max_trials: int | None,
    timeout: float | None,
    sampler: str,
    seed: int | None,
    heartbeat_interval: float,
    grace_period: float | None,
    max_retry: int | None,
    catch_errors: bool,
) -> None:
    """Run trials of an existing study; start one on every machine that should help.

    Workers share nothing but the database. SIGTERM or Ctrl-C marks the running trial
    FAIL and exits (status 143 or 130); a worker killed outright leaves its trial to
    be failed, and re-queued with --max-retry, by another worker after the grace
    period.
    """
    func = load_objective(objective)
    backend = _open_storage(storage, heartbeat_interval, grace_period, max_retry)
    try:
        names = ahpo.get_all_study_names(backend)
        if study_name not in names:
            raise click.ClickException(
                f"No study named {study_name!r} in {_redact(storage)}. "
                f"Create it first with `ahpo create --study {study_name}`."
            )
        study = ahpo.load_study(
            study_name=study_name, storage=backend, sampler=_SAMPLERS[sampler](seed)
        )
        callbacks = []
        if max_trials is not None:
            stop = _StopAtTotal(max_trials)
            if stop.reached(study):
                click.echo(f"Study {study_name!r} already holds {max_trials} trials.")
                return
            callbacks.append(stop)
        ran: list[int] = []
        callbacks.append(lambda _s, t: ran.append(t.number))
        try:
            with graceful_shutdown():
                study.optimize(
                    func,
                    n_trials=n_trials,
                    timeout=timeout,
                    catch=(Exception,) if catch_errors else (),
                    callbacks=callbacks,
                )
        except WorkerShutdown as exc:
            click.echo(f"{exc} The running trial, if any, is marked FAIL.", err=True)
            sys.exit(128 + exc.signum)
        except ahpo.AhpoError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"Worker finished: {len(ran)} trial(s) of study {study_name!r}.")
    finally:
        backend.close()
