"""The text helpers of the command line."""

from __future__ import annotations

import datetime

from ahpo.cli._format import number, table, timestamp


def test_table_aligns_text_left_and_numbers_right() -> None:
    assert table(["name", "n"], [["a", 1], ["bb", 10]]).splitlines() == [
        "name   n",
        "----  --",
        "a      1",
        "bb    10",
    ]


def test_table_without_rows_has_its_header() -> None:
    assert table(["name"], []).splitlines() == ["name", "----"]


def test_number_and_timestamp() -> None:
    assert number(None) == "-"
    assert number(0.123456789) == "0.123457"
    assert timestamp(None) == "-"
    assert timestamp(datetime.datetime(2024, 5, 1, 12, 0, 3, 999)) == "2024-05-01 12:00:03"
