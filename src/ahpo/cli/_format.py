"""Turn studies and trials into text: aligned tables, JSON records and CSV."""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ahpo import FrozenTrial, Study, StudySummary

#: Columns of the CSV export, in the order of ``Study.trials_dataframe()``.
_CSV_ATTRS = (
    "number", "value", "datetime_start", "datetime_complete", "duration",
    "params", "user_attrs", "system_attrs", "state",
)


def number(value: float | None) -> str:
    """A value for a table: six significant digits, ``-`` for none."""
    return "-" if value is None else f"{value:.6g}"


def timestamp(value: datetime.datetime | None) -> str:
    """A UTC time for a table, to the second; ``-`` for none."""
    return "-" if value is None else value.strftime("%Y-%m-%d %H:%M:%S")


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """An aligned plain-text table with a header rule; numbers are right-aligned.

    Examples
    --------
    >>> print(table(["name", "n"], [["a", 1], ["bb", 10]]))
    name   n
    ----  --
    a      1
    bb    10
    """
    cells = [[str(c) for c in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    right = [
        bool(rows) and all(isinstance(r[i], (int, float)) for r in rows)
        for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [line(list(headers)), line(["-" * w for w in widths])]
    out.extend(line(r) for r in cells)
    return "\n".join(out)


def studies_table(summaries: Sequence[StudySummary]) -> str:
    """The table of ``ahpo studies``: one row per study."""
    rows = []
    for s in summaries:
        # A multi-objective study has a Pareto front, not one best value: `ahpo best`.
        best = "-" if s.best_trial is None else number(s.best_trial.values[0])
        rows.append([
            s.study_name,
            ",".join(d.name.lower() for d in s.directions),
            s.n_trials,
            best,
            timestamp(s.datetime_start),
        ])
    return table(["name", "directions", "n_trials", "best value", "started (UTC)"], rows)


def trial_record(trial: FrozenTrial) -> dict[str, Any]:
    """A trial as a JSON-compatible dict (datetimes as ISO 8601 strings, UTC)."""
    return {
        "number": trial.number,
        "state": trial.state.name,
        "values": None if trial.values is None else list(trial.values),
        "params": dict(trial.params),
        "user_attrs": dict(trial.user_attrs),
        "datetime_start": iso(trial.datetime_start),
        "datetime_complete": iso(trial.datetime_complete),
    }


def iso(value: datetime.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def to_json(data: Any) -> str:
    """Indented JSON text, keys in the order given."""
    return json.dumps(data, indent=2)


def best_table(study: Study, best: Sequence[FrozenTrial]) -> str:
    """The text of ``ahpo best``: one trial in detail, or the Pareto front as a table."""
    if len(study.directions) == 1:
        trial = best[0]
        lines = [
            f"study   {study.study_name} ({study.direction.name.lower()})",
            f"trial   {trial.number}",
            f"value   {trial.values[0]!r}",  # type: ignore[index]
            "params",
        ]
        width = max((len(k) for k in trial.params), default=0)
        lines.extend(f"  {k.ljust(width)}  {v!r}" for k, v in trial.params.items())
        return "\n".join(lines)
    names = sorted({k for t in best for k in t.params})
    headers = [
        "number",
        *(f"values_{i} ({d.name.lower()})" for i, d in enumerate(study.directions)),
        *names,
    ]
    rows = [
        [t.number, *(number(v) for v in t.values or ()), *(_param(t, n) for n in names)]
        for t in best
    ]
    title = f"Pareto front of study {study.study_name!r}: {len(best)} trial(s)"
    return title + "\n" + table(headers, rows)


def _param(trial: FrozenTrial, name: str) -> str:
    return repr(trial.params[name]) if name in trial.params else "-"


def best_json(study: Study, best: Sequence[FrozenTrial]) -> Any:
    """The JSON of ``ahpo best``: a dict for one objective, a list for the Pareto front."""
    records = [
        {"number": t.number, "values": list(t.values or ()), "params": dict(t.params)}
        for t in best
    ]
    if len(study.directions) > 1:
        return records
    record = records[0]
    return {"number": record["number"], "value": record["values"][0], "params": record["params"]}


def trials_csv(study: Study) -> str:
    """All trials as CSV; through pandas when it is installed, else the csv module.

    The columns are those of :meth:`ahpo.Study.trials_dataframe` in both cases.
    """
    try:
        import pandas  # noqa: F401 - only asks whether pandas is there
    except ImportError:
        return _csv_without_pandas(study)
    return study.trials_dataframe(attrs=_CSV_ATTRS).to_csv(index=False)


def _csv_without_pandas(study: Study) -> str:
    n_obj = len(study.directions)
    value_cols = ["value"] if n_obj == 1 else [f"values_{i}" for i in range(n_obj)]
    rows: list[dict[str, Any]] = []
    nested: dict[str, set[str]] = {"params": set(), "user_attrs": set(), "system_attrs": set()}
    for t in study.get_trials():
        values = list(t.values) if t.values is not None else [None] * n_obj
        row: dict[str, Any] = {
            "number": t.number,
            **dict(zip(value_cols, values, strict=True)),
            "datetime_start": t.datetime_start,
            "datetime_complete": t.datetime_complete,
            "duration": t.duration,
            "state": t.state.name,
        }
        for attr, keys in nested.items():
            for key, value in getattr(t, attr).items():
                keys.add(key)
                row[f"{attr}_{key}"] = value
        rows.append(row)
    columns = [
        "number", *value_cols, "datetime_start", "datetime_complete", "duration",
        *(f"{attr}_{k}" for attr, keys in nested.items() for k in sorted(keys)),
        "state",
    ]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
