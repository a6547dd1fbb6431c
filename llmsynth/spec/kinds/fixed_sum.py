"""Parts of a fixed total (Dirichlet shares, whole parts by largest remainder); ``scaffold/fixed_sum.py`` draws them."""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, model_validator
from typing_extensions import override

from llmsynth.spec.kinds.base import SamplerColumn, check_unique, invalid
from llmsynth.spec.schema import ColumnSchema, SumConstraint


class FixedSumSpec(SamplerColumn):
    """Columns that add up to ``total`` (or to another column) in every row: Dirichlet shares, scaled.

    With ``round: d`` (``integer: true`` is ``round: 0``) the parts are rounded to ``d`` decimals by
    largest remainder, so the rounded parts still add up exactly to the total (which may have at most
    ``d`` decimals): money with cents splits to the cent.
    """

    kind: Literal["fixed_sum"]
    columns: list[str] = Field(min_length=2)
    alpha: float | list[float] = Field(
        default=1.0, description="Dirichlet concentration(s); larger = more even."
    )
    total: float | None = Field(default=None, description="The sum every row reaches.")
    total_column: str | None = Field(default=None, description="Existing column holding each row's total.")
    output_total: str | None = Field(default=None, description="Also write the row total as this column.")
    integer: bool = Field(default=False, description="Whole-number parts (the same as round: 0).")
    round: int | None = Field(
        default=None, ge=0, le=12, description="Round parts to this many decimals; they still sum exactly."
    )

    @model_validator(mode="after")
    def _check(self) -> FixedSumSpec:
        check_unique(self.columns)
        alphas = self.alphas()
        if len(alphas) != len(self.columns):
            raise invalid(
                "alpha", f"alpha needs {len(self.columns)} values (one per column), got {len(alphas)}"
            )
        if any(not a > 0 or not math.isfinite(a) for a in alphas):
            raise invalid("alpha", f"alpha values must be greater than 0, got {alphas}")
        if (self.total is None) == (self.total_column is None):
            raise invalid("total", "give either 'total' or 'total_column'")
        if self.integer and self.round not in (None, 0):
            raise invalid("round", f"integer: true means round: 0, not round: {self.round}")
        if self.null_rate:
            raise invalid("null_rate", "parts of a fixed sum cannot be missing: they must add up")
        if self.total is not None:
            if not self.total > 0 or not math.isfinite(self.total):
                raise invalid("total", f"total must be greater than 0, got {self.total}")
            if self.integer and not float(self.total).is_integer():
                raise invalid("total", f"integer: true needs a whole-number total, got {self.total}")
            if self.decimals is not None and not has_decimals(self.total, self.decimals):
                raise invalid("total", f"round: {self.decimals} needs a total with at most {self.decimals} decimals")
        return self

    @property
    def decimals(self) -> int | None:
        """Decimals the parts are rounded to (0 for integers), or None for unrounded floats."""
        return 0 if self.integer else self.round

    def alphas(self) -> list[float]:
        """The Dirichlet concentration of each part (equal shares when not given)."""
        return [float(self.alpha)] * len(self.columns) if isinstance(self.alpha, int | float) else self.alpha

    @override
    def output_names(self) -> list[str]:
        return [*self.columns, *([self.output_total] if self.output_total else [])]

    @override
    def dependencies(self) -> set[str]:
        return {self.total_column} if self.total_column else set()

    @override
    def value_schemas(self) -> list[ColumnSchema]:
        kind = "integer" if self.decimals == 0 else "number"
        schemas = [ColumnSchema(name=c, type=kind, minimum=0, maximum=self.total) for c in self.columns]
        if self.output_total:
            schemas.append(ColumnSchema(name=self.output_total, type=kind, minimum=0))
        return schemas

    @override
    def row_constraints(self) -> list[SumConstraint]:
        total_column = self.total_column or self.output_total
        return [
            SumConstraint(
                columns=tuple(self.columns),
                total=self.total,
                total_column=total_column if self.total is None else None,
                # rounded parts add up exactly; the validator allows float noise (1e-12 of the total)
                tolerance=0 if self.decimals is not None else 1e-6,
            )
        ]


def has_decimals(value: float, decimals: int) -> bool:
    """Whether ``value`` has at most ``decimals`` decimals (up to float representation)."""
    scaled = value * 10**decimals
    return bool(abs(scaled - round(scaled)) <= 1e-9 * max(1.0, abs(scaled)))


FIXED_SUM_SPECS = (FixedSumSpec,)
