"""Property tests: any row the schema accepts, written in each format, parses back to the same row.

Also: whatever the text, parsers return rows and rejects (or ParseError for one row), never crash.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmsynth.errors import ParseError
from llmsynth.parsers import parse_row, parse_rows, validate_table
from llmsynth.parsers.coerce import MISSING_WORDS
from llmsynth.spec.schema import ColumnSchema

SCHEMAS = [
    ColumnSchema(name="job", type="string", max_length=30),
    ColumnSchema(name="country", type="choice", choices=("USA", "France", "Japan", "Côte d'Ivoire")),
    ColumnSchema(name="age", type="integer", minimum=-(10**9), maximum=10**9),
    ColumnSchema(name="income", type="number"),
    ColumnSchema(name="remote", type="boolean"),
    ColumnSchema(name="joined", type="date"),
    ColumnSchema(name="children", type="integer", nullable=True),
]
TEXT_ALPHABET = st.characters(categories=("L", "N"), exclude_characters="\x85") | st.sampled_from(" .-&()'")
strings = (
    st.text(TEXT_ALPHABET, min_size=1, max_size=30)
    .map(str.strip)
    .filter(lambda s: s != "" and s.casefold() not in MISSING_WORDS)
)
rows = st.fixed_dictionaries(
    {
        "job": strings,
        "country": st.sampled_from(SCHEMAS[1].choices or ()),
        "age": st.integers(-(10**9), 10**9),
        "income": st.floats(-1e12, 1e12, allow_nan=False),
        "remote": st.booleans(),
        "joined": st.dates(dt.date(1000, 1, 1), dt.date(2999, 12, 31)).map(dt.date.isoformat),
        "children": st.none() | st.integers(0, 12),
    }
)
styles = st.fixed_dictionaries({"thousands": st.booleans(), "yes_no": st.booleans(), "upper": st.booleans()})


def cell(name: str, value: Any, style: dict[str, bool]) -> str:
    """The text a model might write for a value, in one of the documented accepted spellings."""
    if value is None:
        return ""
    if isinstance(value, bool):
        word = ("yes" if value else "no") if style["yes_no"] else ("true" if value else "false")
        return word.upper() if style["upper"] else word
    if isinstance(value, int):
        return f"{value:,}" if style["thousands"] else str(value)
    if isinstance(value, float):
        return repr(value)
    if name == "country" and style["upper"]:
        return f" {value.upper()} "
    return str(value)


def serialise(row: dict[str, Any], parser: str, style: dict[str, bool]) -> str:
    if parser == "json":
        return "Here it is:\n```json\n" + json.dumps(row, ensure_ascii=False) + "\n```"
    cells = {s.name: cell(s.name, row[s.name], style) for s in SCHEMAS}
    if parser == "kv":
        return "\n".join(f"{k.upper() if style['upper'] else k}: {v}" for k, v in cells.items())
    if parser == "table":
        return (
            "| "
            + " | ".join(cells)
            + " |\n|"
            + "---|" * len(cells)
            + "\n| "
            + " | ".join(cells.values())
            + " |"
        )
    return "\t".join(f"{k}={v}" for k, v in cells.items())


REGEX = "\t".join(f"{s.name}=(?P<{s.name}>[^\\t\\n]*)" for s in SCHEMAS)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(row=rows, style=styles, parser=st.sampled_from(["json", "kv", "table", "regex"]))
def test_every_format_round_trips(row: dict[str, Any], style: dict[str, bool], parser: str) -> None:
    text = serialise(row, parser, style)
    regex = REGEX if parser == "regex" else None
    assert parse_row(text, SCHEMAS, parser=parser, regex=regex) == row
    result = parse_rows(text + "\n\n" + text, SCHEMAS, parser=parser, regex=regex)
    assert result.rows == [row, row]
    assert result.rejects == []


@SETTINGS
@given(batch=st.lists(rows, min_size=1, max_size=20))
def test_parsed_rows_pass_the_table_validator(batch: list[dict[str, Any]]) -> None:
    text = "\n".join(json.dumps(r) for r in batch)
    parsed = parse_rows(text, SCHEMAS, parser="json").rows
    assert parsed == batch
    result = validate_table(pd.DataFrame(parsed, columns=[s.name for s in SCHEMAS]), SCHEMAS)
    assert result.validity == 1.0, result.errors


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300), parser=st.sampled_from(["json", "kv", "table", "regex"]))
def test_arbitrary_text_never_crashes(text: str, parser: str) -> None:
    regex = REGEX if parser == "regex" else None
    result = parse_rows(text, SCHEMAS, parser=parser, regex=regex)
    assert all(r.parser == parser and r.reason for r in result.rejects)
    try:
        parse_row(text, SCHEMAS, parser=parser, regex=regex)
    except ParseError as exc:
        failure: ParseError | None = exc
    else:
        failure = None
    if failure is not None:
        assert failure.parser == parser
        assert str(failure)
