"""The subcommands of ``ahpo``; each opens the storage, does one thing and closes it."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

import ahpo
from ahpo.cli import _format
from ahpo.storages import BaseStorage, get_storage

DEFAULT_STORAGE = "sqlite:///ahpo.db"
_SQLITE_PREFIX = "sqlite:///"

_storage_option = click.option(
    "--storage",
    envvar="AHPO_STORAGE",
    default=DEFAULT_STORAGE,
    show_default=True,
    show_envvar=True,
    metavar="URL",
    help="Database URL, e.g. sqlite:///ahpo.db or postgresql+psycopg://user@host/db.",
)
_study_option = click.option(
    "--study", "study_name", required=True, metavar="NAME", help="The study's name."
)


def _redact(url: str) -> str:
    """The URL with its password, if any, replaced by ``***``."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", url)


def _sqlite_file(url: str) -> Path | None:
    """The file a ``sqlite:///path`` URL points to; ``None`` for other URLs and memory."""
    if not url.startswith(_SQLITE_PREFIX):
        return None
    path = url[len(_SQLITE_PREFIX):].split("?", 1)[0]
    return None if path in ("", ":memory:") else Path(path)


@contextlib.contextmanager
def _opened(url: str, *, must_exist: bool = True) -> Iterator[BaseStorage]:
    """Open the storage at ``url``, close it afterwards, and turn ahpo's errors into
    one-line messages (exit code 1) instead of tracebacks.

    With ``must_exist``, a SQLite URL whose file is missing is an error rather than a
    reason to create an empty database.
    """
    path = _sqlite_file(url)
    if must_exist and path is not None and not path.is_file():
        raise click.ClickException(
            f"No database file {str(path)!r} (storage {url}). Run a study first "
            "(e.g. `make demo`), or point --storage or AHPO_STORAGE at your database."
        )
    try:
        storage = get_storage(url)
    except (ahpo.AhpoError, ValueError, ImportError) as exc:
        raise click.ClickException(f"Cannot open storage {_redact(url)}: {exc}") from None
    try:
        yield storage
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0]) if exc.args else repr(exc)) from None
    except (ahpo.AhpoError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        storage.close()


def _load(storage: BaseStorage, url: str, study_name: str) -> ahpo.Study:
    """The study named ``study_name``, or an error that lists the studies there are."""
    names = ahpo.get_all_study_names(storage)
    if study_name not in names:
        there = f"Studies there: {', '.join(names)}." if names else "It holds no study."
        raise click.ClickException(f"No study named {study_name!r} in {_redact(url)}. {there}")
    return ahpo.load_study(study_name=study_name, storage=storage)


def _format_option(*choices: str) -> Callable[[Any], Any]:
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=choices[0], show_default=True,
        help="Output format.",
    )


@click.command()
@_storage_option
@_format_option("table", "json")
def studies(storage: str, fmt: str) -> None:
    """List the studies.

    One row per study: name, directions, number of trials, best value (single
    objective) and when its first trial started (UTC).
    """
    with _opened(storage) as backend:
        summaries = ahpo.get_all_study_summaries(backend)
    if fmt == "json":
        click.echo(_format.to_json([
            {
                "name": s.study_name,
                "directions": [d.name.lower() for d in s.directions],
                "n_trials": s.n_trials,
                "best_value": None if s.best_trial is None else s.best_trial.values[0],
                "datetime_start": _format.iso(s.datetime_start),
            }
            for s in summaries
        ]))
    elif summaries:
        click.echo(_format.studies_table(summaries))
    else:
        click.echo(f"No studies in {_redact(storage)}.")


@click.command()
@_study_option
@_storage_option
@_format_option("table", "json")
def best(study_name: str, storage: str, fmt: str) -> None:
    """Show the best trial of a study.

    Its number, value and parameters; for a multi-objective study, every trial on
    the Pareto front. JSON: a dict for one objective, a list for several.
    """
    with _opened(storage) as backend:
        study = _load(backend, storage, study_name)
        if len(study.directions) > 1:
            found = study.best_trials
        else:
            try:
                found = [study.best_trial]
            except ValueError:  # no trial is complete (and feasible)
                found = []
        if not found:
            raise click.ClickException(
                f"Study {study_name!r} has no completed (and feasible) trial yet."
            )
        if fmt == "json":
            click.echo(_format.to_json(_format.best_json(study, found)))
        else:
            click.echo(_format.best_table(study, found))


@click.command()
@_study_option
@_storage_option
@_format_option("csv", "json")
@click.option(
    "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file instead of the standard output.",
)
def trials(study_name: str, storage: str, fmt: str, output: Path | None) -> None:
    """Export the trials of a study as CSV or JSON.

    CSV has the columns of Study.trials_dataframe(); JSON is a list of records
    with number, state, values, params, user_attrs and ISO 8601 (UTC) start and
    completion times.
    """
    with _opened(storage) as backend:
        study = _load(backend, storage, study_name)
        records = study.get_trials()
        if fmt == "csv":
            text = _format.trials_csv(study)
        else:
            text = _format.to_json([_format.trial_record(t) for t in records]) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8", newline="")
    click.echo(f"Wrote {len(records)} trial(s) of study {study_name!r} to {output}.", err=True)


@click.command()
@_study_option
@click.option(
    "--direction", "directions", multiple=True, type=click.Choice(["minimize", "maximize"]),
    help="Repeat once per objective; default: one objective, minimize.",
)
@_storage_option
def create(study_name: str, directions: tuple[str, ...], storage: str) -> None:
    """Create an empty study."""
    dirs = list(directions) or ["minimize"]
    with _opened(storage, must_exist=False) as backend:
        if study_name in ahpo.get_all_study_names(backend):
            raise click.ClickException(
                f"A study named {study_name!r} already exists in {_redact(storage)}."
            )
        ahpo.create_study(storage=backend, study_name=study_name, directions=dirs)
    click.echo(f"Created study {study_name!r} ({', '.join(dirs)}) in {_redact(storage)}.")


@click.command()
@_study_option
@_storage_option
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def delete(study_name: str, storage: str, yes: bool) -> None:
    """Delete a study and all its trials (asks first unless --yes)."""
    with _opened(storage) as backend:
        study = _load(backend, storage, study_name)
        if not yes:
            click.confirm(
                f"Delete study {study_name!r} and its {len(study.get_trials())} trial(s) "
                f"from {_redact(storage)}?",
                abort=True,
            )
        ahpo.delete_study(study_name=study_name, storage=backend)
    click.echo(f"Deleted study {study_name!r}.")
