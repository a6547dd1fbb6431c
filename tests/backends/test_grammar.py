"""The grammar compiled from a row model accepts exactly the compact JSON of valid rows."""

from __future__ import annotations

import json

import pytest
import xgrammar as xgr
from xgrammar.testing import _is_grammar_accept_string

from llmsynth.backends.grammar import XGRAMMAR_JSON_OPTIONS, GrammarCache
from llmsynth.engine.rowschema import build_row_model, json_schema
from llmsynth.errors import SpecError
from llmsynth.spec.schema import ColumnSchema

SCHEMAS = [
    ColumnSchema(name="age", type="integer", minimum=0, maximum=100),
    ColumnSchema(name="score", type="number", minimum=-1.5, maximum=2.5),
    ColumnSchema(name="color", type="choice", choices=("red", "green")),
    ColumnSchema(name="code", type="string", pattern="[A-Z]{2}[0-9]{3}"),
    ColumnSchema(name="note", type="string", max_length=5),
    ColumnSchema(name="joined", type="date"),
    ColumnSchema(name="nick", type="string", max_length=4, nullable=True),
]
SCHEMA_TEXT = json.dumps(json_schema(build_row_model(SCHEMAS)))
GRAMMAR = xgr.Grammar.from_json_schema(SCHEMA_TEXT, **XGRAMMAR_JSON_OPTIONS)
GOOD = {"age": 42, "score": 2.5, "color": "red", "code": "AB123", "note": "hi", "joined": "2024-01-31",
        "nick": None}


def accepts(row: dict | str) -> bool:
    text = row if isinstance(row, str) else json.dumps(row, separators=(",", ":"))
    return bool(_is_grammar_accept_string(GRAMMAR, text))


def test_valid_compact_row_is_accepted() -> None:
    assert accepts(GOOD)
    assert accepts({**GOOD, "age": 0, "score": -1.5, "nick": "abcd"})


@pytest.mark.parametrize(
    "change",
    [{"age": 101}, {"age": -1}, {"age": 4.5}, {"score": 2.51}, {"color": "blue"}, {"code": "ab123"},
     {"code": "AB1234"}, {"note": "toolong"}, {"joined": "2024-13-01"}, {"nick": "abcde"}, {"extra": 1}],
    ids=["int-high", "int-low", "int-fraction", "num-high", "choice", "pattern-case", "pattern-length",
         "max-length", "date", "nullable-length", "extra-key"],
)
def test_invalid_values_cannot_be_decoded(change: dict) -> None:
    assert not accepts({**GOOD, **change})


def test_whitespace_is_fixed_and_keys_are_required() -> None:
    assert not accepts(json.dumps(GOOD))  # default separators put spaces after ':' and ','
    assert not accepts({k: v for k, v in GOOD.items() if k != "age"})


def test_unknown_grammar_engine_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match="grammar engine"):
        GrammarCache(model=None, tokenizer=None, engine="regexp")
