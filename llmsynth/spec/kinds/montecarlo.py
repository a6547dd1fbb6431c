"""Monte Carlo columns for shapes no named family gives: a density written over ``x``, or an
empirical sample / histogram; drawn by inverse transform or rejection sampling."""

from __future__ import annotations

import ast
from typing import Literal

from pydantic import Field, field_validator, model_validator
from typing_extensions import override

from llmsynth.spec.base import StrictModel
from llmsynth.spec.kinds.base import Bounds, NumericColumn, invalid
from llmsynth.spec.kinds.expression import RANDOM_FUNCTIONS, expression_names, parse_expression


class DensitySpec(NumericColumn):
    """Values with density proportional to ``density`` (an expression over ``x``) on [low, high]."""

    kind: Literal["density"]
    density: str = Field(
        description="Unnormalised density over x, e.g. 'exp(-x**2 / 2) * (1 + sin(3 * x)**2)'."
    )
    low: float
    high: float
    method: Literal["rejection", "inverse"] = Field(
        default="rejection",
        description="rejection: exact, reports its acceptance rate; inverse: tabulated CDF.",
    )
    grid: int = Field(
        default=4096, ge=64, le=1_000_000, description="Points used to bound/tabulate the density."
    )

    @field_validator("density")
    @classmethod
    def _check_density(cls, value: str) -> str:
        tree = parse_expression(value)
        random = sorted(
            n.func.id
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in RANDOM_FUNCTIONS
        )
        if random:
            raise ValueError(f"a density cannot draw random numbers (calls {', '.join(random)})")
        other = sorted(expression_names(value) - {"x"})
        if other:
            raise ValueError(f"a density may only use x, not {', '.join(other)}")
        return value

    @model_validator(mode="after")
    def _check_support(self) -> DensitySpec:
        if self.low >= self.high:
            raise invalid("low", f"low ({self.low}) must be below high ({self.high})")
        return self

    @override
    def support(self) -> Bounds:
        return (self.low, self.high)


class Histogram(StrictModel):
    """Bin edges and counts (or weights) of a histogram."""

    edges: list[float] = Field(min_length=2)
    counts: list[float] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Histogram:
        if len(self.edges) != len(self.counts) + 1:
            raise ValueError(
                f"a histogram needs one more edge than counts, got {len(self.edges)} and {len(self.counts)}"
            )
        if any(b <= a for a, b in zip(self.edges, self.edges[1:], strict=False)):
            raise ValueError("histogram edges must increase")
        if any(c < 0 for c in self.counts) or sum(self.counts) <= 0:
            raise ValueError("histogram counts must be >= 0 with a positive total")
        return self


class EmpiricalSpec(NumericColumn):
    """Values resembling a sample (inline ``values`` or a ``file`` column) or a ``histogram``.

    ``inverse`` interpolates the empirical CDF between sorted sample values (continuous, within the
    sample's range); ``rejection`` draws from the histogram density and reports its acceptance rate.
    """

    kind: Literal["empirical"]
    values: list[float] | None = Field(default=None, min_length=2, description="Inline sample values.")
    file: str | None = Field(default=None, description="Table with the sample, relative to the spec file.")
    column: str | None = Field(
        default=None, description="Column of `file` to use (default: this column's name)."
    )
    histogram: Histogram | None = None
    bins: int = Field(
        default=30, ge=1, description="Histogram bins built from a sample, for method: rejection."
    )
    method: Literal["inverse", "rejection"] = "inverse"

    @model_validator(mode="after")
    def _check_source(self) -> EmpiricalSpec:
        given = [k for k in ("values", "file", "histogram") if getattr(self, k) is not None]
        if len(given) != 1:
            raise invalid(
                "values", f"give exactly one of values, file, histogram (got {', '.join(given) or 'none'})"
            )
        if self.column is not None and self.file is None:
            raise invalid("column", "'column' only applies with 'file'")
        return self

    @override
    def support(self) -> Bounds:
        if self.values is not None:
            return (min(self.values), max(self.values))
        if self.histogram is not None:
            return (self.histogram.edges[0], self.histogram.edges[-1])
        return (None, None)


MONTE_CARLO_SPECS = (DensitySpec, EmpiricalSpec)
