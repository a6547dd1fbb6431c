"""Hostile input: binary garbage, a 100 MB line, deep nesting. Every case ends in rows/rejects, quickly."""

from __future__ import annotations

import random
import time

import pytest

from llmsynth.errors import ParseError
from llmsynth.parsers import parse_row, parse_rows
from llmsynth.parsers.result import MAX_RAW_KEPT, MAX_ROW_CHARS
from llmsynth.spec.schema import ColumnSchema

PARSERS = ["json", "kv", "table", "regex"]
REGEX = r"(?P<job>\w+)\s*\|\s*(?P<age>\d+)\s*\|\s*(?P<country>\w+)"
HUNDRED_MB = 100 * 1024 * 1024


def _regex(parser: str) -> str | None:
    return REGEX if parser == "regex" else None


@pytest.mark.parametrize("parser", PARSERS)
def test_binary_garbage_gives_rejects_not_crashes(parser: str, people: list[ColumnSchema]) -> None:
    garbage = random.Random(5).randbytes(20_000).decode("latin-1")
    result = parse_rows(garbage, people, parser=parser, regex=_regex(parser))
    assert result.rows == []
    assert all(r.parser == parser for r in result.rejects)
    with pytest.raises(ParseError):
        parse_row(garbage, people, parser=parser, regex=_regex(parser))


@pytest.fixture(scope="module")
def huge_line() -> str:
    return '{"job": "' + "x" * HUNDRED_MB + " | 4 | USA"


@pytest.mark.parametrize("parser", PARSERS)
def test_hundred_megabyte_line_is_bounded(parser: str, people: list[ColumnSchema], huge_line: str) -> None:
    start = time.perf_counter()
    with pytest.raises(ParseError, match="text too long"):
        parse_row(huge_line, people, parser=parser, regex=_regex(parser))
    result = parse_rows(huge_line, people, parser=parser, regex=_regex(parser))
    elapsed = time.perf_counter() - start
    assert result.rows == []
    assert len(result.rejects) >= 1
    assert all(len(r.raw) < MAX_RAW_KEPT + 100 for r in result.rejects)  # rejects keep a clipped raw
    assert elapsed < 20  # linear work over 100 MB, a few seconds at most on a slow machine


def test_json_reject_says_why_it_stopped(people: list[ColumnSchema], huge_line: str) -> None:
    result = parse_rows(huge_line, people, parser="json")
    assert [r.reason for r in result.rejects] == [
        f"JSON value longer than {MAX_ROW_CHARS:,} characters (not scanned further)"
    ]
    assert result.rejects[0].raw.endswith(f"[{MAX_ROW_CHARS - MAX_RAW_KEPT} more characters not kept]")


def test_deeply_nested_json_is_refused(people: list[ColumnSchema]) -> None:
    text = "[" * 100_000 + "]" * 100_000
    result = parse_rows(text, people, parser="json")
    assert result.rows == []
    with pytest.raises(ParseError):
        parse_row('[{"a": ' * 5000, people)


def test_unknown_parser_suggests_a_name(people: list[ColumnSchema]) -> None:
    from llmsynth.errors import SpecError

    with pytest.raises(SpecError, match="did you mean 'json'"):
        parse_row("{}", people, parser="jsn")


def test_lone_surrogate_is_a_reject_for_the_regex_parser(people: list[ColumnSchema]) -> None:
    # found by benchmarks/fuzz.py: RE2 reads UTF-8, and a lone surrogate has no UTF-8 form
    text = "Chef | 30 | USA\nNu\ud800rse | 31 | USA\nBaker | 32 | Japan"
    result = parse_rows(text, people, parser="regex", regex=REGEX)
    assert [r["job"] for r in result.rows] == ["Chef", "Baker"]
    assert [(r.line, r.reason) for r in result.rejects] == [(2, "not valid Unicode (lone surrogate U+D800)")]
    with pytest.raises(ParseError, match="lone surrogate"):
        parse_row("Nu\ud800rse | 31 | USA", people, parser="regex", regex=REGEX)
