"""The documented coercions, and that nothing else is converted silently."""

from __future__ import annotations

from typing import Any

import pytest

from llmsynth.errors import ParseError
from llmsynth.parsers import coerce_row
from llmsynth.parsers.coerce import Invalid, coerce_value
from llmsynth.spec.schema import ColumnSchema


def schema(type_: str, **kw: Any) -> ColumnSchema:
    return ColumnSchema(name="x", type=type_, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("type_", "kw", "raw", "expected"),
    [
        ("integer", {}, "45", 45),
        ("integer", {}, " 1,234 ", 1234),
        ("integer", {}, 45.0, 45),
        ("integer", {}, "45.0", 45),
        ("integer", {}, "-12,345,678", -12345678),
        ("number", {}, "1,234.5", 1234.5),
        ("number", {}, "2e3", 2000.0),
        ("number", {}, 7, 7.0),
        ("choice", {"choices": ("USA", "France")}, " usa ", "USA"),
        ("choice", {"choices": ("USA", "France")}, "FRANCE", "France"),
        ("string", {}, "  Teacher ", "Teacher"),
        ("string", {}, 7, "7"),
        ("boolean", {}, "Yes", True),
        ("boolean", {}, "false", False),
        ("boolean", {}, 1, True),
        ("date", {}, "2024-02-29", "2024-02-29"),
        ("datetime", {}, "2024-02-29 13:05", "2024-02-29T13:05:00"),
        ("datetime", {}, "2024-02-29T13:05:09+02:00", "2024-02-29T13:05:09+02:00"),
        ("integer", {"nullable": True}, "N/A", None),
        ("string", {"nullable": True}, "", None),
    ],
    ids=lambda v: repr(v)[:30],
)
def test_documented_coercions(type_: str, kw: dict[str, Any], raw: Any, expected: Any) -> None:
    value = coerce_value(raw, schema(type_, **kw))
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("type_", "kw", "raw", "reason"),
    [
        ("integer", {}, "45.5", "not a whole number"),
        ("integer", {}, "12,34", "not a number"),
        ("integer", {}, "45 years", "not a number"),
        ("integer", {}, True, "not a number (a boolean)"),
        ("integer", {"maximum": 100}, "101", "above maximum 100"),
        ("number", {"minimum": 0.5}, "0.25", "below minimum 0.5"),
        ("number", {}, "inf", "not a number"),
        ("number", {}, float("inf"), "not a finite number"),
        ("choice", {"choices": ("USA",)}, "United States", "not one of the choices"),
        ("boolean", {}, "maybe", "not a boolean (true/false, yes/no, 1/0)"),
        ("date", {}, "2024-02-30", "not an ISO date (YYYY-MM-DD)"),
        ("date", {}, "05/01/2024", "not an ISO date (YYYY-MM-DD)"),
        ("string", {"max_length": 3}, "abcd", "longer than 3 characters"),
        ("string", {"min_length": 2}, "a", "shorter than 2 characters"),
        ("string", {"pattern": r"[A-Z]{3}"}, "US", "does not match the pattern"),
        ("string", {}, ["a"], "not a string (a list)"),
        ("string", {}, "null", "missing"),
        ("integer", {}, None, "missing"),
    ],
    ids=lambda v: repr(v)[:30],
)
def test_rejections_name_the_reason(type_: str, kw: dict[str, Any], raw: Any, reason: str) -> None:
    with pytest.raises(Invalid) as info:
        coerce_value(raw, schema(type_, **kw))
    assert str(info.value) == reason


def test_choice_match_must_be_unambiguous() -> None:
    s = schema("choice", choices=("usa", "USA"))
    assert coerce_value("USA", s) == "USA"
    with pytest.raises(Invalid, match="not one of the choices"):
        coerce_value("Usa", s)


def test_coerce_row_lists_every_reason_in_schema_order(people: list[ColumnSchema]) -> None:
    with pytest.raises(ParseError) as info:
        coerce_row({"age": "900", "country": "Mars", "hobby": "chess"}, people)
    assert str(info.value) == (
        "job: missing; age: above maximum 70; country: not one of the choices; unexpected key 'hobby'"
    )


def test_coerce_row_returns_schema_order(people: list[ColumnSchema]) -> None:
    row = coerce_row({"country": "japan", "age": "33", "job": " Chef "}, people)
    assert list(row.items()) == [("job", "Chef"), ("age", 33), ("country", "Japan")]
