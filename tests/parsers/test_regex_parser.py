"""User regexes on RE2: named groups checked up front, scanning many rows, no backtracking blow-up."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from llmsynth.errors import ParseError, SpecError
from llmsynth.parsers import parse_row, parse_rows
from llmsynth.spec.schema import ColumnSchema

ROW = r"(?P<job>[^|\n]+?)\s*\|\s*(?P<age>[\d,]+)\s*\|\s*(?P<country>\w+)"


def test_scans_a_pipe_table_continuation(scored: list[ColumnSchema], people: list[ColumnSchema]) -> None:
    text = "Teacher | 45 | USA\nNurse | 31 | france\nthis line is prose\nPilot | 1,000 | Japan\n"
    result = parse_rows(text, people, parser="regex", regex=ROW)
    assert result.rows == [
        {"job": "Teacher", "age": 45, "country": "USA"},
        {"job": "Nurse", "age": 31, "country": "France"},
    ]
    assert [(r.line, r.reason) for r in result.rejects] == [
        (3, "no match for the pattern"),
        (4, "age: above maximum 70"),
    ]


def test_one_row_from_one_output(people: list[ColumnSchema]) -> None:
    text = "Answer: Chef | 40 | Japan (hope this helps)"
    assert parse_row(text, people, parser="regex", regex=ROW) == {
        "job": "Answer: Chef",
        "age": 40,
        "country": "Japan",
    }
    with pytest.raises(ParseError, match="no match for the pattern"):
        parse_row("nothing useful", people, parser="regex", regex=ROW)


def test_missing_named_groups_are_named(people: list[ColumnSchema]) -> None:
    with pytest.raises(SpecError, match=r"no named group for age, country"):
        parse_row("x", people, parser="regex", regex=r"(?P<job>\w+)")
    with pytest.raises(SpecError, match="needs a pattern"):
        parse_rows("x", people, parser="regex")


def test_nullable_columns_do_not_need_a_group(people: list[ColumnSchema]) -> None:
    schemas = [*people, ColumnSchema(name="note", type="string", nullable=True)]
    assert parse_row("A | 20 | USA", schemas, parser="regex", regex=ROW)["note"] is None


@pytest.mark.parametrize("pattern", [r"(?P<job>\w+)\1", r"(?P<job>\w+)(?=!)", r"(?<!x)(?P<job>\w+)"])
def test_backreferences_and_lookaround_refused_clearly(pattern: str) -> None:
    schemas = [ColumnSchema(name="job", type="string")]
    with pytest.raises(SpecError, match="backreferences and lookaround are not supported"):
        parse_rows("abc", schemas, parser="regex", regex=pattern)


def test_catastrophic_pattern_is_linear() -> None:
    schemas = [ColumnSchema(name="job", type="string")]
    text = "a" * 200_000 + "!"
    start = time.perf_counter()
    result = parse_rows(text, schemas, parser="regex", regex=r"(?P<job>(a+)+$)")
    elapsed = time.perf_counter() - start
    assert result.rows == []
    assert result.reasons_count() == {"no match for the pattern": 1}
    assert elapsed < 5.0  # Python's re would need ~2**200000 steps; RE2 takes milliseconds


def test_real_model_kv_fixture_with_a_kv_regex(
    people: list[ColumnSchema], fixture_text: Callable[[str], str]
) -> None:
    pattern = r"Job: (?P<job>.+)\nAge: (?P<age>\d+)\nCountry: (?P<country>\w+)"
    result = parse_rows(fixture_text("model_kv_rows_0.txt"), people, parser="regex", regex=pattern)
    assert [r["job"] for r in result.rows] == ["Nurse", "Teacher"]
    assert result.rejects == []
