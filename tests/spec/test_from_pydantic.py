"""A pydantic model supplied through the Python API becomes the group's fields, bounds included."""

import datetime as dt
from typing import Literal

import pytest
from pydantic import BaseModel, Field

from llmsynth.errors import SpecError
from llmsynth.spec import DatasetSpec, LLMGroup


class Row(BaseModel):
    job: str = Field(max_length=30, description="a job title")
    country: Literal["USA", "India", "Japan"]
    score: int = Field(ge=0, le=100)
    ratio: float = Field(gt=0, lt=1)
    member: bool
    since: dt.date
    code: str = Field(pattern=r"^[A-Z]{3}$")
    nickname: str | None = None


def test_model_fields_become_llm_fields_with_their_constraints() -> None:
    group = LLMGroup.from_model(Row, prompt="A {{ age }} year old.")
    fields = group.fields
    assert list(fields) == ["job", "country", "score", "ratio", "member", "since", "code", "nickname"]
    assert (fields["job"].type, fields["job"].max_length, fields["job"].description) == ("string", 30, "a job title")
    assert (fields["country"].type, fields["country"].choices) == ("choice", ["USA", "India", "Japan"])
    assert (fields["score"].type, fields["score"].min, fields["score"].max) == ("integer", 0, 100)
    assert (fields["ratio"].min, fields["ratio"].max) == (0, 1)
    assert fields["member"].type == "boolean"
    assert fields["since"].type == "date"
    assert fields["code"].pattern == "^[A-Z]{3}$"
    assert fields["nickname"].nullable
    assert not fields["job"].nullable
    assert group.dependencies() == {"age"}


def test_group_from_model_works_inside_a_spec() -> None:
    spec = DatasetSpec(columns=[{"kind": "integer", "name": "age", "low": 18, "high": 60},  # type: ignore[list-item]
                                LLMGroup.from_model(Row, prompt="A {{ age }} year old.")])
    schemas = {s.name: s for s in spec.column_schemas()}
    assert (schemas["score"].minimum, schemas["score"].maximum) == (0, 100)


def test_unsupported_field_type_names_the_field() -> None:
    class Nested(BaseModel):
        tags: list[str]

    with pytest.raises(SpecError, match=r"Nested\.tags: type 'array' cannot be an LLM field"):
        LLMGroup.from_model(Nested, prompt="x")
