"""Pipe/Markdown and CSV tables: headers, given order, ragged lines, separators, two tables."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from llmsynth.errors import ParseError
from llmsynth.parsers import parse_row, parse_rows
from llmsynth.parsers.table_parser import split_pipe
from llmsynth.spec.schema import ColumnSchema


def test_continuation_without_header_uses_schema_order(scored: list[ColumnSchema]) -> None:
    text = "Teacher | 45 | USA | 88\nNurse | 31 | France | 72\n"
    result = parse_rows(text, scored)
    assert result.rows == [
        {"job": "Teacher", "age": 45, "country": "USA", "score": 88},
        {"job": "Nurse", "age": 31, "country": "France", "score": 72},
    ]


def test_markdown_table_with_header_in_other_order_and_separator(scored: list[ColumnSchema]) -> None:
    text = (
        "Here you go:\n\n| Country | Score | Job | Age |\n|:---|---:|:-:|---|\n"
        "| japan | 1,0 | Chef | 33 |\n| USA | 90 | Pilot | 41 |\n\nEnjoy!"
    )
    result = parse_rows(text, scored)
    assert result.rows == [{"job": "Pilot", "age": 41, "country": "USA", "score": 90}]
    assert [(r.line, r.reason) for r in result.rejects] == [(5, "score: not a number")]


def test_missing_cell_is_a_reject_not_a_shift(scored: list[ColumnSchema]) -> None:
    text = (
        "| Job | Age | Country | Score |\n|---|---|---|---|\n"
        "| Teacher | 45 | 88 |\n| Nurse | | France | 72 |\n| Chef | 50 | USA | 10 |"
    )
    result = parse_rows(text, scored)
    assert result.rows == [{"job": "Chef", "age": 50, "country": "USA", "score": 10}]
    assert [(r.line, r.reason) for r in result.rejects] == [
        (3, "expected 4 cells, found 3"),
        (4, "age: missing"),
    ]
    assert result.rejects[0].raw == "| Teacher | 45 | 88 |"


def test_two_tables_each_with_its_own_header(people: list[ColumnSchema]) -> None:
    text = (
        "Table 1\n| Job | Age | Country |\n|---|---|---|\n| A | 20 | USA |\n\n"
        "Table 2\n| Country | Job | Age |\n|---|---|---|\n| Japan | B | 30 |\n"
        "| Age | Job | Country |\n| 40 | C | France |"
    )
    assert parse_rows(text, people).rows == [
        {"job": "A", "age": 20, "country": "USA"},
        {"job": "B", "age": 30, "country": "Japan"},
        {"job": "C", "age": 40, "country": "France"},
    ]


def test_real_model_misaligned_table_is_all_rejects(
    scored: list[ColumnSchema], fixture_text: Callable[[str], str]
) -> None:
    result = parse_rows(fixture_text("model_pipe_table_0.txt"), scored)
    assert result.rows == []
    assert result.reasons_count() == {
        "age: not a number; country: not one of the choices": 11,
        "expected 4 cells, found 1": 1,
    }


def test_csv_with_quotes_header_and_given_order(people: list[ColumnSchema]) -> None:
    text = 'job,age,country\n"Doctor, surgeon",50,USA\nChef,1,234,Japan\n'
    result = parse_rows(text, people)
    assert result.rows == [{"job": "Doctor, surgeon", "age": 50, "country": "USA"}]
    assert result.reasons_count() == {"expected 3 cells, found 4": 1}
    tsv = "France\t33\tPilot\n"
    assert parse_rows(tsv, people, columns=["country", "age", "job"]).rows == [
        {"job": "Pilot", "age": 33, "country": "France"}
    ]


def test_escaped_pipe_and_cjk_cells(people: list[ColumnSchema]) -> None:
    assert split_pipe(r"| a \| b | c |") == ["a | b", "c"]
    assert parse_row("| 寿司職人 | 1,0 | Japan |".replace("1,0", "52"), people, parser="table") == {
        "job": "寿司職人",
        "age": 52,
        "country": "Japan",
    }


def test_parse_row_reports_the_first_problem(people: list[ColumnSchema]) -> None:
    with pytest.raises(ParseError, match="no row found") as info:
        parse_row("Just prose.", people, parser="table")
    assert info.value.parser == "table"
    with pytest.raises(ParseError, match="expected 3 cells, found 2"):
        parse_row("a | b", people, parser="table")


@pytest.mark.parametrize(
    ("cell", "value"),
    [("**Chef**", "Chef"), ("*Chef*", "Chef"), ("`Chef`", "Chef"), ("__Chef__", "Chef"), ("**Chef", "**Chef")],
    ids=["bold", "italic", "code", "underscores", "unbalanced-kept"],
)
def test_markdown_emphasis_around_a_whole_cell_is_removed(cell: str, value: str) -> None:
    assert split_pipe(f"| {cell} | 41 |") == [value, "41"]


def test_key_value_emphasis_is_removed_too() -> None:
    from llmsynth.parsers.kv_parser import split_line

    assert split_line("**Job:** **Teacher**") == ("**Job", "Teacher")
    assert split_line("- Age: `45`") == ("Age", "45")
