"""LLMFiller with the fake backend: prompts, validation, retries, rejects, uniqueness, seeds, stats."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest
from pydantic import BaseModel, ConfigDict

from llmsynth.backends.fake import FakeBackend
from llmsynth.engine.llm_step import LLMFiller, LLMStats
from llmsynth.engine.rowschema import max_answer_tokens
from llmsynth.errors import SpecError
from llmsynth.spec import DatasetSpec, LLMGroup, spec_from_dict


def make_spec(group: dict[str, Any], **generation: Any) -> DatasetSpec:
    return spec_from_dict({
        "rows": 4,
        "seed": 7,
        "generation": {"retries": 2, **generation},
        "columns": [
            {"name": "city", "kind": "categorical", "categories": {"Tokyo": 0.5, "Lima": 0.5}},
            {"kind": "llm", "name": "person", **group},
        ],
    })


GROUP = {
    "prompt": "Someone from {{ city }} (row {{ row_index }}).",
    "fields": {
        "job": {"type": "string", "max_length": 20, "description": "a job title"},
        "age": {"type": "integer", "min": 18, "max": 70},
    },
}
FRAME = pd.DataFrame({"city": ["Tokyo", "Lima", "Tokyo"]})


def fill(spec: DatasetSpec, backend: FakeBackend, frame: pd.DataFrame = FRAME, chunk: int = 0) -> Any:
    return LLMFiller(spec, backend).fill(spec.llm_groups()[0], frame, chunk=chunk)


def test_valid_answers_fill_exactly_the_group_fields() -> None:
    spec = make_spec(GROUP)
    backend = FakeBackend()
    values, rejects, stats = fill(spec, backend)
    assert list(values.columns) == ["job", "age"]
    assert values.index.equals(FRAME.index)
    assert values["age"].between(18, 70).all()
    assert values["job"].str.len().le(20).all()
    assert rejects == []
    assert (stats.rows, stats.first_pass_valid, stats.retries, stats.rejected) == (3, 3, 0, 0)
    assert stats.generated_tokens > 0
    assert stats.prompt_tokens > 0
    call = backend.calls[0]
    assert call.max_new_tokens == max_answer_tokens(spec.llm_groups()[0].column_schemas())
    assert (call.temperature, call.top_p) == (spec.generation.temperature, spec.generation.top_p)


def test_prompts_carry_row_values_system_and_field_descriptions() -> None:
    backend = FakeBackend()
    fill(make_spec({**GROUP, "system": "You write census rows."}), backend)
    prompts = backend.calls[0].prompts
    assert "Someone from Lima (row 1)." in prompts[1]
    assert "Someone from Tokyo (row 2)." in prompts[2]
    assert "You write census rows." in prompts[0]
    assert "job: text of at most 20 characters (a job title)" in prompts[0]
    assert "age: whole number from 18 to 70" in prompts[0]


def test_broken_answer_is_retried_and_hopeless_row_is_rejected_with_raw_text() -> None:
    seen: dict[str, int] = {}

    def script(prompt: str) -> str:
        seen[prompt] = seen.get(prompt, 0) + 1
        if "row 1" in prompt:
            return '{"job":"Pilot","age":500}'  # out of bounds on every attempt
        if "row 0" in prompt and seen[prompt] == 1:
            return '{"job":"Pil'  # cut off on the first attempt only
        return '{"job":"Nurse","age":33}'

    values, rejects, stats = fill(make_spec(GROUP), FakeBackend(script))
    assert values.loc[0, "job"] == "Nurse"
    assert values.loc[2, "age"] == 33
    assert values.loc[1].isna().all()
    assert len(rejects) == 1
    reject = rejects[0]
    assert (reject.row, reject.group, reject.attempts) == (1, "person", 3)
    assert reject.raw == '{"job":"Pilot","age":500}'
    assert "age" in reject.reason
    assert "less than or equal to 70" in reject.reason
    # first pass: rows 0 and 1 fail; retry 1: both again (row 0 then passes); retry 2: row 1 only
    assert (stats.first_pass_valid, stats.retries, stats.rejected) == (1, 3, 1)


def test_retries_use_new_seeds_and_same_chunk_reuses_them() -> None:
    always_bad = FakeBackend(lambda prompt: "nope")
    fill(make_spec(GROUP), always_bad, chunk=3)
    seeds = [c.seed for c in always_bad.calls]
    assert len(seeds) == 3
    assert len(set(seeds)) == 3
    again = FakeBackend(lambda prompt: "nope")
    fill(make_spec(GROUP), again, chunk=3)
    assert [c.seed for c in again.calls] == seeds
    other_chunk = FakeBackend(lambda prompt: "nope")
    fill(make_spec(GROUP), other_chunk, chunk=4)
    assert other_chunk.calls[0].seed != seeds[0]


def test_same_seed_gives_same_values() -> None:
    first, _, _ = fill(make_spec(GROUP), FakeBackend())
    second, _, _ = fill(make_spec(GROUP), FakeBackend())
    pd.testing.assert_frame_equal(first, second)


def test_unique_field_regenerates_duplicates_and_rejects_what_stays_duplicate() -> None:
    group = {**GROUP, "fields": {**GROUP["fields"], "job": {"type": "string", "unique": True}}}
    values, rejects, _ = fill(make_spec(group), FakeBackend(lambda prompt: '{"job":"Nurse","age":30}'))
    assert values["job"].tolist() == ["Nurse", None, None]
    assert [r.row for r in rejects] == [1, 2]
    assert "duplicate value 'Nurse'" in rejects[0].reason


def test_unique_text_applies_to_every_string_field_across_chunks() -> None:
    spec = make_spec(GROUP, unique_text=True)
    answers = iter(['{"job":"Nurse","age":30}', '{"job":"Nurse","age":31}', '{"job":"Cook","age":30}'])
    backend = FakeBackend(lambda prompt: next(answers, '{"job":"Nurse","age":30}'))
    filler = LLMFiller(spec, backend)
    values, rejects, _ = filler.fill(spec.llm_groups()[0], FRAME.iloc[:2], chunk=0)
    assert values["job"].tolist() == ["Nurse", "Cook"]
    assert values["age"].tolist() == [30, 30]  # integers are not text: repeats are fine
    _, rejects, _ = filler.fill(spec.llm_groups()[0], FRAME.iloc[:1], chunk=1)
    assert len(rejects) == 1  # 'Nurse' was written in chunk 0


def test_free_decoding_parses_text_then_validates() -> None:
    group = {**GROUP, "decoding": "free", "parser": "kv"}
    answers = {0: "job: Baker\nage: 41", 1: "job: Baker\nage: 12", 2: "Sure! Here it is."}

    def script(prompt: str) -> str:
        return next(text for row, text in answers.items() if f"row {row})" in prompt)

    backend = FakeBackend(script)
    values, rejects, _ = fill(make_spec(group, retries=0), backend)
    assert backend.calls[0].schema is None
    assert "name: value" in backend.calls[0].prompts[0]
    assert values.loc[0, "job"] == "Baker"
    assert values.loc[0, "age"] == 41
    assert sorted(r.row for r in rejects) == [1, 2]
    reasons = {r.row: r.reason for r in rejects}
    assert "age" in reasons[1]
    assert reasons[2].startswith("parse (kv)")


def test_row_model_from_the_python_api_replaces_the_spec_schema() -> None:
    class Person(BaseModel):
        model_config = ConfigDict(extra="forbid")
        job: str
        age: int

    spec = make_spec(GROUP)
    backend = FakeBackend(lambda prompt: json.dumps({"job": "x" * 30, "age": 99}))
    filler = LLMFiller(spec, backend, row_models={"person": Person})
    values, rejects, _ = filler.fill(spec.llm_groups()[0], FRAME, chunk=0)
    assert rejects == []
    assert values["age"].tolist() == [99, 99, 99]
    assert backend.calls[0].schema is Person


def test_template_errors_name_the_group() -> None:
    spec = make_spec({**GROUP, "prompt": "From {{ city }}, {{ row.missing }}"})
    with pytest.raises(SpecError, match=r"column 'person'.*missing"):
        fill(spec, FakeBackend())
    with pytest.raises(SpecError, match="sandbox"):  # refused when the spec loads, before any fill
        fill(make_spec({**GROUP, "prompt": "{{ ''.__class__.__mro__ }} {{ city }}"}), FakeBackend())


def test_stats_merge_adds_every_counter() -> None:
    total = LLMStats(rows=2, first_pass_valid=1, retries=1, rejected=0, prompt_tokens=10, generated_tokens=5,
                     seconds=0.5)
    total.merge(LLMStats(rows=3, first_pass_valid=3, prompt_tokens=7, generated_tokens=2, seconds=0.25))
    assert total == LLMStats(rows=5, first_pass_valid=4, retries=1, rejected=0, prompt_tokens=17,
                             generated_tokens=7, seconds=0.75)


def test_group_type_is_llm_group() -> None:
    assert isinstance(make_spec(GROUP).llm_groups()[0], LLMGroup)
