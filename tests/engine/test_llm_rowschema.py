"""The row model built from column schemas: what it accepts, what it rejects, and its token budget."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from llmsynth.engine.rowschema import anchored, build_row_model, column_names, json_schema, max_answer_tokens
from llmsynth.errors import SpecError
from llmsynth.spec.schema import ColumnSchema

SCHEMAS = [
    ColumnSchema(name="first name", type="string", max_length=8, min_length=2),
    ColumnSchema(name="age", type="integer", minimum=18, maximum=70),
    ColumnSchema(name="score", type="number", minimum=0, maximum=1),
    ColumnSchema(name="color", type="choice", choices=("red", "green")),
    ColumnSchema(name="vip", type="boolean"),
    ColumnSchema(name="joined", type="date"),
    ColumnSchema(name="code", type="string", pattern="[A-Z]{2}[0-9]{3}", max_length=5),
    ColumnSchema(name="nick", type="string", max_length=10, nullable=True),
]
VALID = {"first name": "Ann", "age": 30, "score": 0.5, "color": "red", "vip": True, "joined": "2024-02-29",
         "code": "AB123", "nick": None}

Row = build_row_model(SCHEMAS)


def test_valid_row_round_trips_with_column_names() -> None:
    row = Row.model_validate_json(json.dumps(VALID))
    assert row.model_dump(mode="json", by_alias=True) == VALID
    assert column_names(Row) == [s.name for s in SCHEMAS]


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"age": 71}, "age"),
        ({"age": 17}, "age"),
        ({"score": 1.01}, "score"),
        ({"color": "blue"}, "color"),
        ({"first name": "A"}, "first name"),
        ({"first name": "Annabelle!"}, "first name"),
        ({"joined": "2024-02-30"}, "joined"),
        ({"code": "ab123"}, "code"),
        ({"code": "XAB123"}, "code"),  # the pattern must match the whole value, not a part of it
        ({"extra": 1}, "extra"),
    ],
    ids=["age-high", "age-low", "score-high", "choice", "short", "long", "bad-date", "pattern", "anchored",
         "extra-key"],
)
def test_invalid_values_are_rejected(change: dict, where: str) -> None:
    with pytest.raises(ValidationError) as info:
        Row.model_validate({**VALID, **change})
    assert where in str(info.value)


def test_missing_field_and_null_in_non_nullable_field_are_rejected() -> None:
    with pytest.raises(ValidationError):
        Row.model_validate({k: v for k, v in VALID.items() if k != "age"})
    with pytest.raises(ValidationError):
        Row.model_validate({**VALID, "age": None})


def test_json_schema_carries_bounds_choices_and_forbids_extra_keys() -> None:
    schema = json_schema(Row)
    props = schema["properties"]
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {s.name for s in SCHEMAS}
    assert (props["age"]["minimum"], props["age"]["maximum"]) == (18, 70)
    assert props["color"]["enum"] == ["red", "green"]
    assert props["code"]["pattern"] == "^(?:[A-Z]{2}[0-9]{3})$"
    assert props["joined"]["format"] == "date"
    assert props["first name"]["maxLength"] == 8


def test_float_bounds_on_integer_fields_round_inwards() -> None:
    model = build_row_model([ColumnSchema(name="n", type="integer", minimum=0.5, maximum=3.7)])
    props = json_schema(model)["properties"]["n"]
    assert (props["minimum"], props["maximum"]) == (1, 3)


def test_anchored_keeps_escaped_dollar() -> None:
    assert anchored("^a+$") == "^(?:a+)$"
    assert anchored("cost\\$") == "^(?:cost\\$)$"


def test_token_budget_covers_the_longest_valid_answer() -> None:
    longest = {"first name": "x" * 8, "age": 70, "score": 0.123456789, "color": "green", "vip": False,
               "joined": "2024-12-31", "code": "AB123", "nick": "y" * 10}
    text = json.dumps(longest, separators=(",", ":"))
    Row.model_validate_json(text)
    assert max_answer_tokens(SCHEMAS) >= len(text) + 1
    assert max_answer_tokens(SCHEMAS) < 200


def test_empty_and_choice_without_choices_are_spec_errors() -> None:
    with pytest.raises(SpecError):
        build_row_model([])
    with pytest.raises(SpecError, match="choices"):
        build_row_model([ColumnSchema(name="c", type="choice")])
