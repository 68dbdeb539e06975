"""Trials as a pandas DataFrame."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ahpo._validation import invalid

if TYPE_CHECKING:
    import pandas as pd

    from ahpo.study._study import Study

_NESTED = ("params", "user_attrs", "system_attrs", "intermediate_values")
_KNOWN = {
    "number", "value", "values", "datetime_start", "datetime_complete", "duration",
    "state", "trial_id", *_NESTED,
}


def _import_pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise ImportError(
            "trials_dataframe needs pandas: pip install 'ahpo[pandas]'"
        ) from None
    return pandas


def trials_dataframe(study: Study, attrs: Sequence[str], multi_index: bool) -> pd.DataFrame:
    """Build the DataFrame described in :meth:`Study.trials_dataframe`."""
    pandas = _import_pandas()
    unknown = [a for a in attrs if a not in _KNOWN]
    if unknown:
        raise invalid("attrs", f"a subset of {sorted(_KNOWN)!r}", unknown)
    n_obj = len(study.directions)
    rows: list[dict[tuple[str, str], Any]] = []
    for t in study.get_trials():
        row: dict[tuple[str, str], Any] = {}
        for attr in attrs:
            if attr in ("value", "values"):
                if n_obj == 1:
                    row[("value", "")] = None if t.values is None else t.values[0]
                else:
                    for i in range(n_obj):
                        row[("values", str(i))] = None if t.values is None else t.values[i]
            elif attr == "state":
                row[("state", "")] = t.state.name
            elif attr in _NESTED:
                for key, value in getattr(t, attr).items():
                    row[(attr, str(key))] = value
            else:
                row[(attr, "")] = getattr(t, attr)
        rows.append(row)
    columns = sorted({c for r in rows for c in r}, key=lambda c: (_order(attrs, c[0]), c[1]))
    frame = pandas.DataFrame(rows, columns=pandas.MultiIndex.from_tuples(columns)
                             if columns else None)
    if not multi_index and columns:
        frame.columns = ["_".join(p for p in c if p) for c in columns]
    return frame


def _order(attrs: Sequence[str], name: str) -> int:
    name = "value" if name == "values" and "value" in attrs else name
    return list(attrs).index(name) if name in attrs else len(attrs)
