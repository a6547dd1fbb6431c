"""Scaffold sampler specs: one pydantic model per ``kind``; the scaffold package maps each kind to code."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from llmsynth.spec.base import ColumnBase
from llmsynth.spec.schema import ColumnSchema


class NormalSpec(ColumnBase):
    """Normal distribution N(mean, sd)."""

    kind: Literal["normal"]
    name: str
    mean: float = 0.0
    sd: float = Field(default=1.0, gt=0)
    round: int | None = None

    def column_schemas(self) -> list[ColumnSchema]:
        return [ColumnSchema(name=self.name, type="integer" if self.round == 0 else "number")]


class UniformSpec(ColumnBase):
    """Uniform distribution on [low, high)."""

    kind: Literal["uniform"]
    name: str
    low: float = 0.0
    high: float = 1.0

    @model_validator(mode="after")
    def _check(self) -> UniformSpec:
        if self.low >= self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self

    def column_schemas(self) -> list[ColumnSchema]:
        return [ColumnSchema(name=self.name, type="number", minimum=self.low, maximum=self.high)]


class CategoricalSpec(ColumnBase):
    """Categories drawn with the given weights (normalised) or uniformly."""

    kind: Literal["categorical"]
    name: str
    categories: list[str] | dict[str, float] = Field(min_length=1)

    def column_schemas(self) -> list[ColumnSchema]:
        return [ColumnSchema(name=self.name, type="choice", choices=tuple(self.categories))]


SAMPLER_SPECS = (NormalSpec, UniformSpec, CategoricalSpec)
