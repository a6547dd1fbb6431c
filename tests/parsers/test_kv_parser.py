"""Key-value lines: key matching, records split by blank lines or a repeated key, decorations."""

from __future__ import annotations

from collections.abc import Callable

from llmsynth.parsers import parse_row, parse_rows
from llmsynth.parsers.kv_parser import split_line
from llmsynth.spec.schema import ColumnSchema


def test_real_model_kv_records(people: list[ColumnSchema], fixture_text: Callable[[str], str]) -> None:
    result = parse_rows(fixture_text("model_kv_rows_0.txt"), people, parser="kv")
    assert result.rows == [
        {"job": "Nurse", "age": 31, "country": "France"},
        {"job": "Teacher", "age": 45, "country": "USA"},
    ]


def test_real_model_records_without_job_line(
    people: list[ColumnSchema], fixture_text: Callable[[str], str]
) -> None:
    result = parse_rows(fixture_text("model_kv_rows_1.txt"), people, parser="kv")
    assert result.rows == []
    assert result.reasons_count() == {"job: missing": 3}


def test_keys_are_case_and_spacing_insensitive_and_decorations_dropped() -> None:
    schemas = [
        ColumnSchema(name="job_title", type="string"),
        ColumnSchema(name="years", type="integer"),
        ColumnSchema(name="remote", type="boolean"),
    ]
    text = "Here is the person:\n- **Job Title:** Data Engineer\n2. YEARS = 1,234\n* remote: Yes\nThanks!"
    assert parse_row(text, schemas, parser="kv") == {
        "job_title": "Data Engineer",
        "years": 1234,
        "remote": True,
    }


def test_repeated_key_starts_the_next_record(people: list[ColumnSchema]) -> None:
    text = "Job: A\nAge: 20\nCountry: USA\nJob: B\nAge: 30\nCountry: Japan\nNote: ignored\n"
    result = parse_rows(text, people, parser="kv")
    assert [r["job"] for r in result.rows] == ["A", "B"]
    assert parse_row(text, people, parser="kv")["job"] == "A"


def test_value_keeps_later_colons() -> None:
    assert split_line("Time: 10:30") == ("Time", "10:30")
    assert split_line("no separator here") is None
