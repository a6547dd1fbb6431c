"""Non-continuous basics: categories with weights, booleans, integer ranges, dates, unique ids."""

from __future__ import annotations

import datetime as dt
import math
from typing import Literal

from pydantic import Field, model_validator

from llmsynth.spec.sampler_common import ProbParam, SamplerColumn, invalid
from llmsynth.spec.schema import ColumnSchema


class CategoricalSpec(SamplerColumn):
    """Categories drawn uniformly (a list) or with probabilities (a mapping that sums to 1)."""

    kind: Literal["categorical"]
    name: str
    categories: list[str] | dict[str, float] = Field(min_length=1)
    normalize: bool = Field(
        default=False, description="Treat the mapping's values as weights and rescale them."
    )

    @model_validator(mode="after")
    def _check_weights(self) -> CategoricalSpec:
        if isinstance(self.categories, list):
            if len(set(self.categories)) != len(self.categories):
                raise invalid("categories", "categories repeat a value")
            return self
        negative = [k for k, v in self.categories.items() if not v >= 0 or not math.isfinite(v)]
        if negative:
            raise invalid("categories", f"weights must be finite and >= 0; bad: {', '.join(negative)}")
        total = sum(self.categories.values())
        if total <= 0:
            raise invalid("categories", "weights sum to 0")
        if not self.normalize and abs(total - 1) > 1e-6:
            raise invalid(
                "categories",
                f"probabilities sum to {total:g}, not 1; fix them or set normalize: true to rescale weights",
            )
        return self

    def weights(self) -> dict[str, float]:
        """Normalised probabilities per category."""
        raw = self.categories if isinstance(self.categories, dict) else dict.fromkeys(self.categories, 1.0)
        total = sum(raw.values())
        return {k: v / total for k, v in raw.items()}

    def column_schemas(self) -> list[ColumnSchema]:
        return [ColumnSchema(name=self.name, type="choice", choices=tuple(self.categories))]


class BooleanSpec(SamplerColumn):
    """True with probability ``p``."""

    kind: Literal["boolean"]
    name: str
    p: ProbParam = 0.5

    def column_schemas(self) -> list[ColumnSchema]:
        return [ColumnSchema(name=self.name, type="boolean")]


class IntegerSpec(SamplerColumn):
    """Integers drawn uniformly from ``low`` to ``high``, both included."""

    kind: Literal["integer"]
    name: str
    low: int
    high: int

    @model_validator(mode="after")
    def _check(self) -> IntegerSpec:
        if self.low > self.high:
            raise invalid("low", f"low ({self.low}) must not exceed high ({self.high})")
        return self

    def column_schemas(self) -> list[ColumnSchema]:
        return [ColumnSchema(name=self.name, type="integer", minimum=self.low, maximum=self.high)]


class DateSpec(SamplerColumn):
    """Dates (``kind: date``, whole days) or timestamps (``kind: datetime``, seconds) from start to end."""

    kind: Literal["date", "datetime"]
    name: str
    start: dt.datetime
    end: dt.datetime

    @model_validator(mode="after")
    def _check(self) -> DateSpec:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise invalid("start", "give start and end without a time zone")
        if self.start >= self.end:
            raise invalid("start", f"start ({self.start}) must be before end ({self.end})")
        return self

    def column_schemas(self) -> list[ColumnSchema]:
        return [ColumnSchema(name=self.name, type="date" if self.kind == "date" else "datetime")]


class IdSpec(SamplerColumn):
    """Unique row ids: a numbered ``sequence`` (with optional prefix and zero padding) or random ``uuid``s."""

    kind: Literal["id"]
    name: str
    style: Literal["sequence", "uuid"] = "sequence"
    prefix: str = ""
    start: int = Field(default=1, description="First number of a sequence.")
    width: int | None = Field(
        default=None, ge=1, description="Zero-pad sequence numbers to this many digits."
    )

    @property
    def integer_output(self) -> bool:
        return self.style == "sequence" and not self.prefix and self.width is None

    def column_schemas(self) -> list[ColumnSchema]:
        return [
            ColumnSchema(name=self.name, type="integer" if self.integer_output else "string", unique=True)
        ]


BASIC_SPECS = (CategoricalSpec, BooleanSpec, IntegerSpec, DateSpec, IdSpec)
