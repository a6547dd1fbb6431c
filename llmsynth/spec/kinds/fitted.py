"""Marginals given by a table of numbers, as ``llmsynth fit`` writes them (and as anyone may by hand).

``quantiles``: a quantile function (the column's values at evenly spaced probabilities, linear in
between) for shapes no named family fits; it takes numbers, integers, dates and timestamps and is a
valid copula marginal. ``discrete``: numbers with their probabilities, for counts and codes with few
values (0/1 flags, number of children) whose exact frequencies matter.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from typing_extensions import override

from llmsynth.spec.kinds.base import Bounds, NumericColumn, SamplerColumn, invalid
from llmsynth.spec.schema import ColumnSchema


class QuantilesSpec(NumericColumn):
    """Values from a quantile function: ``values[i]`` is the value at probability i / (len - 1)."""

    kind: Literal["quantiles"]
    values: list[float] | list[dt.datetime] = Field(
        min_length=2, description="Non-decreasing values at probabilities 0, 1/(k-1), ..., 1 (numbers or dates)."
    )
    type: Literal["number", "integer", "date", "datetime"] = Field(
        default="number", description="Output type: integer rounds to whole numbers; date/datetime need dates."
    )

    @model_validator(mode="after")
    def _check_values(self) -> QuantilesSpec:
        temporal = isinstance(self.values[0], dt.datetime)
        if temporal != (self.type in ("date", "datetime")):
            raise invalid("type", f"type '{self.type}' does not match the values (dates: {temporal})")
        if temporal and any(v.tzinfo is not None for v in self.values):  # type: ignore[union-attr]
            raise invalid("values", "give dates without a time zone")
        if not temporal and not all(math.isfinite(v) for v in self.values):  # type: ignore[arg-type]
            raise invalid("values", "values must be finite numbers")
        if any(b < a for a, b in zip(self.values, self.values[1:], strict=False)):  # type: ignore[operator]
            raise invalid("values", "quantile values must not decrease")
        if self.values[0] == self.values[-1]:
            raise invalid("values", "quantile values are all equal; use a constant column instead")
        if temporal and (self.bounds or self.clip or self.round is not None):
            raise invalid("type", "bounds, clip and round apply to numeric quantiles, not dates")
        return self

    @property
    def discrete(self) -> bool:
        """Quantile functions of integers and dates step; numbers are continuous."""
        return self.type == "integer"

    @property
    def integer_output(self) -> bool:
        """Whether the column is written as integers."""
        return self.type == "integer"  # type number with round 0 keeps floats (a float column of whole numbers)

    def numbers(self) -> list[float]:
        """The values as floats (timestamps as seconds since 1970)."""
        if self.type in ("date", "datetime"):
            epoch = dt.datetime(1970, 1, 1)
            return [(v - epoch).total_seconds() for v in self.values if isinstance(v, dt.datetime)]
        return [float(v) for v in self.values]  # type: ignore[arg-type]

    @override
    def support(self) -> Bounds:
        numbers = self.numbers()
        return (numbers[0], numbers[-1])

    @override
    def value_schemas(self) -> list[ColumnSchema]:
        if self.type in ("date", "datetime"):
            return [ColumnSchema(name=self.name, type=self.type)]
        return super().value_schemas()


class DiscreteSpec(SamplerColumn):
    """Numbers with given probabilities, e.g. ``probabilities: {0: 0.62, 1: 0.38}`` (kept as numbers, in
    order, so a copula correlates them by rank; a ``categorical`` column would write text labels)."""

    kind: Literal["discrete"]
    name: str
    probabilities: dict[float, float] = Field(min_length=1, description="Value -> probability (sums to 1).")
    normalize: bool = Field(default=False, description="Treat the probabilities as weights and rescale them.")
    type: Literal["integer", "number"] | None = Field(
        default=None, description="Output type; default: integer when every value is a whole number."
    )

    @field_validator("probabilities", mode="before")
    @classmethod
    def _numeric_keys(cls, value: Any) -> Any:
        # a JSON round trip turns number keys into text; read them back as numbers
        if isinstance(value, dict):
            try:
                return {float(k): v for k, v in value.items()}
            except (TypeError, ValueError) as exc:
                raise ValueError(f"probabilities must map numbers to probabilities: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _check(self) -> DiscreteSpec:
        bad = [k for k, v in self.probabilities.items() if not math.isfinite(k) or not math.isfinite(v) or v < 0]
        if bad:
            raise invalid("probabilities", f"values and probabilities must be finite, probabilities >= 0: {bad}")
        total = sum(self.probabilities.values())
        if total <= 0:
            raise invalid("probabilities", "probabilities sum to 0")
        if not self.normalize and abs(total - 1) > 1e-6:
            raise invalid(
                "probabilities", f"probabilities sum to {total:g}, not 1; fix them or set normalize: true"
            )
        if self.type == "integer" and not all(float(k).is_integer() for k in self.probabilities):
            raise invalid("type", "type integer needs whole-number values")
        return self

    @property
    def integer_output(self) -> bool:
        """Whether every value is a whole number, so the column is written as integers."""
        if self.type is not None:
            return self.type == "integer"
        return all(float(k).is_integer() for k in self.probabilities)

    def table(self) -> tuple[list[float], list[float]]:
        """Values in increasing order and their normalised probabilities."""
        values = sorted(self.probabilities)
        total = sum(self.probabilities.values())
        return values, [self.probabilities[v] / total for v in values]

    @override
    def value_schemas(self) -> list[ColumnSchema]:
        values = sorted(self.probabilities)
        kind = "integer" if self.integer_output else "number"
        return [ColumnSchema(name=self.name, type=kind, minimum=values[0], maximum=values[-1])]


FITTED_SPECS = (QuantilesSpec, DiscreteSpec)
