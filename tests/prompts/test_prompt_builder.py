"""Per-row chats: system, field descriptions, few-shot turns, bundled and file templates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from llmsynth.engine.rowschema import build_row_model
from llmsynth.errors import SpecError
from llmsynth.prompts import bundled_names
from llmsynth.prompts.builder import DEFAULT_SYSTEM, PromptBuilder, describe, plain_value
from llmsynth.spec import ColumnSchema, DatasetSpec, load_spec, spec_from_dict

FIELDS = {
    "job": {"type": "string", "max_length": 30, "description": "a job title"},
    "segment": {"type": "choice", "choices": ["budget", "premium"]},
}


def builder_for(group: dict[str, Any], spec: DatasetSpec | None = None) -> PromptBuilder:
    spec = spec or spec_from_dict({"columns": [{"name": "age", "kind": "normal", "mean": 40, "sd": 5},
                                               {"kind": "llm", "name": "g", "fields": FIELDS, **group}]})
    grp = spec.llm_groups()[0]
    return PromptBuilder(grp, spec, build_row_model(grp.column_schemas()))


def test_default_messages_put_the_field_list_in_the_system_message_and_the_row_last() -> None:
    builder = builder_for({"prompt": "A person aged {{ age }}."})
    messages = builder.messages({"age": 41.0}, 0)
    assert [m["role"] for m in messages] == ["system", "user"]
    system = messages[0]["content"]
    assert system.startswith(DEFAULT_SYSTEM + "\n\nAnswer with one JSON object")
    assert '- job: text of at most 30 characters (a job title)' in system
    assert '- segment: one of "budget", "premium"' in system
    assert messages[1]["content"] == "A person aged 41.0."
    # everything before the row's own values is the same for every row: the engine prefills it once
    other = builder.messages({"age": 63.0}, 1)
    assert other[0] == messages[0]
    assert other[1]["content"] == "A person aged 63.0."


def test_examples_with_the_prompt_variables_become_conversation_turns() -> None:
    examples = [{"age": 30, "job": "Nurse", "segment": "budget"}]
    messages = builder_for({"prompt": "Age {{ age }}.", "examples": examples}).messages({"age": 50}, 0)
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[1]["content"].startswith("Age 30.")
    assert json.loads(messages[2]["content"]) == {"job": "Nurse", "segment": "budget"}
    assert messages[2]["content"] == '{"job":"Nurse","segment":"budget"}'
    assert messages[3]["content"].startswith("Age 50.")
    # the field list is said once, in the system message, not in every turn
    assert "Answer with one JSON object" in messages[0]["content"]
    assert [m["content"] for m in messages[1::2]] == ["Age 30.", "Age 50."]


def test_examples_without_the_prompt_variables_are_listed_in_the_instructions() -> None:
    examples = [{"job": "Nurse", "segment": "budget"}]
    messages = builder_for({"prompt": "Age {{ age }}.", "examples": examples}).messages({"age": 50}, 0)
    assert [m["role"] for m in messages] == ["system", "user"]
    assert 'Example answers:\n{"job":"Nurse","segment":"budget"}' in messages[0]["content"]
    assert messages[1]["content"] == "Age 50."


@pytest.mark.parametrize(
    ("example", "problem"),
    [({"job": "Nurse"}, "lacks the fields"), ({"job": "Nurse", "segment": "gold"}, "not a valid answer")],
    ids=["missing-field", "bad-choice"],
)
def test_invalid_examples_are_spec_errors(example: dict, problem: str) -> None:
    with pytest.raises(SpecError, match=f"column 'g'.*{problem}"):
        builder_for({"prompt": "x", "examples": [example]})


def test_system_prompt_is_a_template_too() -> None:
    messages = builder_for({"prompt": "x", "system": "Ages near {{ age }}."}).messages({"age": 7}, 0)
    assert messages[0]["content"].startswith("Ages near 7.\n\nAnswer with one JSON object")


def test_bundled_row_template_lists_known_values(tmp_path: Path) -> None:
    assert {"fields", "row"} <= set(bundled_names())
    messages = builder_for({"template": "row"}).messages({"age": 33, "city": "Lima"}, 0)
    assert "- age: 33\n- city: Lima" in messages[1]["content"]


def test_template_file_is_resolved_next_to_the_spec(tmp_path: Path) -> None:
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "person.j2").write_text("File prompt for age {{ age }}.")
    spec_file = tmp_path / "spec.yaml"
    spec_file.write_text(
        "columns:\n  - {name: age, kind: normal, mean: 40, sd: 5}\n"
        "  - {kind: llm, name: g, template: prompts/person.j2, fields: {job: {type: string}}}\n"
    )
    spec = load_spec(spec_file)
    grp = spec.llm_groups()[0]
    builder = PromptBuilder(grp, spec, build_row_model(grp.column_schemas()))
    assert builder.messages({"age": 5}, 0)[1]["content"].startswith("File prompt for age 5.")


def test_unknown_template_suggests_a_bundled_name() -> None:
    with pytest.raises(SpecError, match="Did you mean 'row'"):
        builder_for({"template": "rows"})


def test_free_decoding_instructions_follow_the_parser() -> None:
    system = builder_for({"prompt": "x", "decoding": "free", "parser": "kv"}).messages({}, 0)[0]["content"]
    assert "`name: value`" in system


@pytest.mark.parametrize(
    ("schema", "text"),
    [
        (ColumnSchema(name="a", type="integer", minimum=1, maximum=5), "whole number from 1 to 5"),
        (ColumnSchema(name="a", type="number", minimum=0.5), "number of at least 0.5"),
        (ColumnSchema(name="a", type="boolean"), "true or false"),
        (ColumnSchema(name="a", type="date"), "date as YYYY-MM-DD"),
        (ColumnSchema(name="a", type="string", pattern="[A-Z]+", nullable=True),
         "text matching the pattern [A-Z]+, or null"),
    ],
    ids=["int", "number-min", "bool", "date", "pattern-nullable"],
)
def test_describe(schema: ColumnSchema, text: str) -> None:
    assert describe(schema) == text


def test_plain_value_converts_numpy_nan_and_timestamps() -> None:
    import numpy as np
    import pandas as pd

    assert plain_value(np.int64(3)) == 3
    assert type(plain_value(np.float64(2.5))) is float
    assert plain_value(float("nan")) is None
    assert plain_value(pd.Timestamp("2024-05-01")) == "2024-05-01"
    assert plain_value(pd.Timestamp("2024-05-01 10:30")) == "2024-05-01 10:30:00"
