"""The ``ahpo`` command line against real SQLite files."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import ahpo
from ahpo.cli import main
from ahpo.cli._commands import _redact

X = ahpo.Float(0.0, 10.0)
KIND = ahpo.Categorical(["a", "b"])


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A SQLite file with a single-objective, a two-objective and an empty study."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    single = ahpo.create_study(storage=url, study_name="single", direction="maximize")
    for x, kind, value in [(1.0, "a", 1.5), (7.0, "b", 9.25), (3.0, "a", 4.0)]:
        single.add_trial(
            ahpo.create_trial(
                params={"x": x, "kind": kind},
                distributions={"x": X, "kind": KIND},
                value=value,
                user_attrs={"note": f"x={x}"},
            )
        )
    single.add_trial(ahpo.create_trial(state=ahpo.TrialState.FAIL))
    multi = ahpo.create_study(storage=url, study_name="multi", directions=["minimize"] * 2)
    for x, values in [(1.0, [1.0, 4.0]), (2.0, [2.0, 2.0]), (3.0, [3.0, 3.0])]:
        multi.add_trial(
            ahpo.create_trial(params={"x": x}, distributions={"x": X}, values=values)
        )
    ahpo.create_study(storage=url, study_name="empty")
    return url


def run(*args: str, input: str | None = None, env: dict | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input, env=env)


def assert_clean_error(result: Result, message: str) -> None:
    """Exit code 1, the message on the output, and no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert message in result.output
    assert "Traceback" not in result.output


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert ahpo.__version__ in result.output


def test_studies_table(url: str) -> None:
    result = run("studies", "--storage", url)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:3] == ["name", "directions", "n_trials"]
    single = next(line for line in lines if line.startswith("single"))
    assert single.split()[1:4] == ["maximize", "4", "9.25"]
    multi = next(line for line in lines if line.startswith("multi"))
    assert multi.split()[1:4] == ["minimize,minimize", "3", "-"]
    assert any(line.split()[:3] == ["empty", "minimize", "0"] for line in lines)


def test_studies_json_reads_storage_from_env(url: str) -> None:
    result = run("studies", "--format", "json", env={"AHPO_STORAGE": url})
    assert result.exit_code == 0, result.output
    by_name = {s["name"]: s for s in json.loads(result.output)}
    assert set(by_name) == {"single", "multi", "empty"}
    assert by_name["single"]["best_value"] == 9.25
    assert by_name["multi"]["directions"] == ["minimize", "minimize"]
    assert by_name["empty"]["datetime_start"] is None


def test_best_single_objective(url: str) -> None:
    result = run("best", "--study", "single", "--storage", url)
    assert result.exit_code == 0, result.output
    assert "trial   1" in result.output
    assert "value   9.25" in result.output
    assert "'b'" in result.output

    data = json.loads(run("best", "--study", "single", "--storage", url, "--format", "json").output)
    assert data == {"number": 1, "value": 9.25, "params": {"x": 7.0, "kind": "b"}}


def test_best_multi_objective_is_the_pareto_front(url: str) -> None:
    data = json.loads(run("best", "--study", "multi", "--storage", url, "--format", "json").output)
    assert [t["number"] for t in data] == [0, 1]
    assert data[1] == {"number": 1, "values": [2.0, 2.0], "params": {"x": 2.0}}

    table = run("best", "--study", "multi", "--storage", url).output
    assert "Pareto front of study 'multi': 2 trial(s)" in table


def test_best_without_completed_trial(url: str) -> None:
    assert_clean_error(
        run("best", "--study", "empty", "--storage", url), "has no completed"
    )


@pytest.mark.parametrize("command", ["best", "trials", "delete"])
def test_unknown_study_is_a_clean_error(url: str, command: str) -> None:
    result = run(command, "--study", "nope", "--storage", url)
    assert_clean_error(result, "No study named 'nope'")
    assert "Studies there: single, multi, empty." in result.output


def test_missing_sqlite_file_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"
    assert_clean_error(run("studies", "--storage", f"sqlite:///{path}"), "No database file")
    assert not path.exists()


def test_a_file_that_is_not_an_ahpo_database_is_a_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not a database")
    assert_clean_error(run("studies", "--storage", f"sqlite:///{path}"), "Cannot open storage")


def test_an_unsupported_url_is_a_clean_error() -> None:
    assert_clean_error(run("studies", "--storage", "nonsense://x"), "Cannot open storage")


def test_default_storage_is_ahpo_db_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AHPO_STORAGE", raising=False)
    created = run("create", "--study", "here")
    assert created.exit_code == 0, created.output
    assert (tmp_path / "ahpo.db").is_file()
    assert "here" in run("studies").output


def test_trials_csv(url: str) -> None:
    result = run("trials", "--study", "single", "--storage", url)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["number"] for r in rows] == ["0", "1", "2", "3"]
    assert [r["state"] for r in rows] == ["COMPLETE"] * 3 + ["FAIL"]
    assert rows[1]["value"] == "9.25"
    assert rows[1]["params_kind"] == "b"
    assert rows[1]["user_attrs_note"] == "x=7.0"
    assert rows[3]["value"] == ""


def test_trials_csv_without_pandas_has_the_same_columns(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_pandas = run("trials", "--study", "multi", "--storage", url).output
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` fail
    without = run("trials", "--study", "multi", "--storage", url).output
    expected = list(csv.DictReader(io.StringIO(with_pandas)))
    got = list(csv.DictReader(io.StringIO(without)))
    assert list(got[0]) == list(expected[0])
    stable = ("number", "values_0", "values_1", "params_x", "state")
    assert [[r[c] for c in stable] for r in got] == [[r[c] for c in stable] for r in expected]


def test_trials_json_to_file(url: str, tmp_path: Path) -> None:
    out = tmp_path / "trials.json"
    result = run(
        "trials", "--study", "single", "--storage", url, "--format", "json", "--output", str(out)
    )
    assert result.exit_code == 0, result.output
    assert "Wrote 4 trial(s)" in result.output
    records = json.loads(out.read_text())
    assert records[1]["values"] == [9.25]
    assert records[1]["params"] == {"x": 7.0, "kind": "b"}
    assert records[1]["user_attrs"] == {"note": "x=7.0"}
    assert records[3]["state"] == "FAIL"
    assert records[3]["values"] is None
    for key in ("datetime_start", "datetime_complete"):
        assert isinstance(records[1][key], str)
        assert "T" in records[1][key]  # ISO 8601


def test_create(url: str) -> None:
    result = run(
        "create", "--study", "new", "--direction", "maximize", "--direction", "minimize",
        "--storage", url,
    )
    assert result.exit_code == 0, result.output
    study = ahpo.load_study(study_name="new", storage=url)
    assert study.directions == [ahpo.StudyDirection.MAXIMIZE, ahpo.StudyDirection.MINIMIZE]

    assert run("create", "--study", "plain", "--storage", url).exit_code == 0
    plain = ahpo.load_study(study_name="plain", storage=url)
    assert plain.directions == [ahpo.StudyDirection.MINIMIZE]


def test_create_duplicate_is_a_clean_error(url: str) -> None:
    assert_clean_error(run("create", "--study", "single", "--storage", url), "already exists")


def test_delete_asks_first(url: str) -> None:
    declined = run("delete", "--study", "single", "--storage", url, input="n\n")
    assert declined.exit_code == 1
    assert "Delete study 'single' and its 4 trial(s)" in declined.output
    assert "single" in ahpo.get_all_study_names(url)

    accepted = run("delete", "--study", "single", "--storage", url, input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert "single" not in ahpo.get_all_study_names(url)


def test_delete_yes(url: str) -> None:
    result = run("delete", "--study", "multi", "--storage", url, "--yes")
    assert result.exit_code == 0, result.output
    assert ahpo.get_all_study_names(url) == ["single", "empty"]


def test_redact_hides_the_password() -> None:
    assert _redact("postgresql+psycopg://me:s3cret@db:5432/hpo") == (
        "postgresql+psycopg://me:***@db:5432/hpo"
    )
    assert _redact("sqlite:///ahpo.db") == "sqlite:///ahpo.db"
