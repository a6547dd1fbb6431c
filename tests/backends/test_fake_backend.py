"""The shipped fake backend and the backend registry."""

from __future__ import annotations

import json

import pytest

from llmsynth.backends import BACKENDS, Backend, FakeBackend, create_backend
from llmsynth.engine.rowschema import build_row_model
from llmsynth.errors import SpecError
from llmsynth.spec import ColumnSchema, ModelConfig

ROW = build_row_model([
    ColumnSchema(name="n", type="integer", minimum=3, maximum=5),
    ColumnSchema(name="x", type="number", minimum=0, maximum=1),
    ColumnSchema(name="c", type="choice", choices=("a", "b")),
    ColumnSchema(name="s", type="string", max_length=6),
    ColumnSchema(name="p", type="string", pattern="[0-9]+"),
    ColumnSchema(name="d", type="date"),
    ColumnSchema(name="ok", type="boolean", nullable=True),
])


def generate(backend: FakeBackend, prompts: list[str], schema: type | None = ROW, seed: int = 0) -> list[str]:
    return backend.generate(prompts, schema=schema, max_new_tokens=50, temperature=1.0, top_p=1.0, seed=seed)


def test_schema_answers_are_valid_and_seeded() -> None:
    backend = FakeBackend()
    answers = generate(backend, ["a"] * 50)
    rows = [ROW.model_validate_json(a) for a in answers]
    assert {r.model_dump(by_alias=True)["n"] for r in rows} == {3, 4, 5}
    assert generate(FakeBackend(), ["a"] * 50) == answers
    assert generate(FakeBackend(), ["a"] * 50, seed=1) != answers
    assert backend.usage.calls == 1
    assert backend.usage.generated_tokens > 0


def test_script_list_comes_first_then_valid_answers_and_free_text() -> None:
    backend = FakeBackend(["broken", "{}"])
    first = generate(backend, ["p1", "p2", "p3"])
    assert first[:2] == ["broken", "{}"]
    ROW.model_validate_json(first[2])
    assert generate(backend, ["q"], schema=None) == ["{}"]
    assert [len(c.prompts) for c in backend.calls] == [3, 1]


def test_script_function_sees_the_prompt() -> None:
    backend = FakeBackend(lambda prompt: json.dumps({"echo": prompt}))
    assert generate(backend, ["hello"]) == ['{"echo": "hello"}']


def test_registry_builds_backends_by_name_and_suggests_names() -> None:
    assert set(BACKENDS) >= {"transformers", "fake"}
    backend = create_backend(ModelConfig(backend="fake"))
    assert isinstance(backend, FakeBackend)
    assert isinstance(backend, Backend)
    assert backend.format_chat([{"role": "user", "content": "hi"}]).endswith("user: hi\n\nassistant:")
    with pytest.raises(SpecError, match="did you mean 'fake'"):
        create_backend(ModelConfig(backend="fakes"))
