"""Non-continuous basics: categories with weights, booleans, integer ranges, dates, unique ids."""

from __future__ import annotations

import datetime as dt
import math
from typing import Literal

from pydantic import Field, model_validator
from typing_extensions import override

from llmsynth.spec.kinds.base import ProbParam, SamplerColumn, invalid
from llmsynth.spec.schema import ColumnSchema

Weights = list[str] | dict[str, float]


class CategoricalSpec(SamplerColumn):
    """Categories drawn uniformly (a list) or with probabilities (a mapping that sums to 1); with ``by``,
    each value of another column has its own categories (a conditional distribution, e.g. city | country)."""

    kind: Literal["categorical"]
    name: str
    categories: Weights | dict[str, Weights] = Field(
        min_length=1, description="A list, a mapping to probabilities, or with `by`: value of `by` -> those."
    )
    by: str | None = Field(default=None, description="Column whose value selects the categories to draw from.")
    default: Weights | None = Field(default=None, description="With `by`: categories for values not listed.")
    normalize: bool = Field(
        default=False, description="Treat the mapping's values as weights and rescale them."
    )

    @model_validator(mode="after")
    def _check_weights(self) -> CategoricalSpec:
        nested = isinstance(self.categories, dict) and any(
            isinstance(v, list | dict) for v in self.categories.values()
        )
        if self.by is None:
            if nested:
                raise invalid("categories", "per-value categories need `by:` naming the column they depend on")
            if self.default is not None:
                raise invalid("default", "`default` is only used with `by:`")
            _check_one(self.categories, self.normalize, "categories")  # type: ignore[arg-type]
            return self
        tables = self.categories
        if not isinstance(tables, dict) or not all(isinstance(v, list | dict) for v in tables.values()):
            raise invalid("categories", "with `by:`, categories map each value of that column to a list or mapping")
        for key, weights in tables.items():
            _check_one(weights, self.normalize, f"categories.{key}")  # type: ignore[arg-type]
        if self.default is not None:
            _check_one(self.default, self.normalize, "default")
        return self

    def weights(self) -> dict[str, float]:
        """Normalised probabilities per category (for a column without ``by``)."""
        return normalised_weights(self.categories)  # type: ignore[arg-type]

    def conditional_weights(self) -> dict[str, dict[str, float]]:
        """Value of ``by`` -> normalised probabilities."""
        tables = self.categories if isinstance(self.categories, dict) else {}
        return {str(k): normalised_weights(v) for k, v in tables.items()}  # type: ignore[arg-type]

    @override
    def dependencies(self) -> set[str]:
        return super().dependencies() | ({self.by} if self.by else set())

    @override
    def value_schemas(self) -> list[ColumnSchema]:
        if self.by is None:
            choices = tuple(self.categories)
        else:
            tables = [*self.conditional_weights().values()]
            if self.default is not None:
                tables.append(normalised_weights(self.default))
            choices = tuple(dict.fromkeys(c for table in tables for c in table))
        return [ColumnSchema(name=self.name, type="choice", choices=choices)]


def normalised_weights(weights: Weights) -> dict[str, float]:
    """Probabilities that sum to 1 (a list means equal weights)."""
    raw = weights if isinstance(weights, dict) else dict.fromkeys(weights, 1.0)
    total = sum(raw.values())
    return {k: v / total for k, v in raw.items()}


def _check_one(weights: Weights, normalize: bool, field: str) -> None:
    if not weights:
        raise invalid(field, "needs at least one category")
    if isinstance(weights, list):
        if len(set(weights)) != len(weights):
            raise invalid(field, "categories repeat a value")
        return
    negative = [k for k, v in weights.items() if not v >= 0 or not math.isfinite(v)]
    if negative:
        raise invalid(field, f"weights must be finite and >= 0; bad: {', '.join(negative)}")
    total = sum(weights.values())
    if total <= 0:
        raise invalid(field, "weights sum to 0")
    if not normalize and abs(total - 1) > 1e-6:
        raise invalid(
            field, f"probabilities sum to {total:g}, not 1; fix them or set normalize: true to rescale weights"
        )


class BooleanSpec(SamplerColumn):
    """True with probability ``p``."""

    kind: Literal["boolean"]
    name: str
    p: ProbParam = 0.5

    @override
    def value_schemas(self) -> list[ColumnSchema]:
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

    @override
    def value_schemas(self) -> list[ColumnSchema]:
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

    @override
    def value_schemas(self) -> list[ColumnSchema]:
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
        """Ids are integers unless they are text (uuid, a prefix)."""
        return self.style == "sequence" and not self.prefix and self.width is None

    @override
    def value_schemas(self) -> list[ColumnSchema]:
        return [
            ColumnSchema(name=self.name, type="integer" if self.integer_output else "string", unique=True)
        ]


BASIC_SPECS = (CategoricalSpec, BooleanSpec, IntegerSpec, DateSpec, IdSpec)
