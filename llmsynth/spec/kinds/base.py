"""Pieces every sampler spec shares: per-row conditional parameters, rounding/clipping/bounds, data sources.

A parameter is either a number or ``{by: column, map: {value: number}, default: number}``; the
column it reads becomes a dependency, so the planner generates it first.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from pydantic import Field, PlainValidator, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError
from typing_extensions import override

from llmsynth.spec.base import ColumnBase, StrictModel

Bounds = tuple[float | None, float | None]


class ByColumn(StrictModel):
    """A parameter that takes its value from another column's value in the same row."""

    by: str = Field(description="Column whose value selects the parameter.")
    map: dict[str, float] = Field(min_length=1, description="Column value -> parameter value.")
    default: float | None = Field(
        default=None, description="Used for values missing from map; else an error."
    )

    @field_validator("map", mode="before")
    @classmethod
    def _string_keys(cls, value: Any) -> Any:
        # YAML turns `1:` and `true:` into int/bool keys; rows are matched on their string form
        return {str(k): v for k, v in value.items()} if isinstance(value, dict) else value

    def values(self) -> list[float]:
        """Every value the mapping can give, for range checks."""
        return [*self.map.values(), *([self.default] if self.default is not None else [])]


Param = float | ByColumn


def _checked(test: Callable[[float], bool], what: str) -> PlainValidator:
    """A validator for a Param: a number, or a by-column mapping whose values all pass ``test``.

    Written by hand (not a pydantic union) so a bad number gets one message on the field itself.
    """

    def number(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PydanticCustomError(
                "float_type", "Input should be a valid number or {by: column, map: ...}"
            )
        if not math.isfinite(value) or not test(value):
            raise PydanticCustomError(
                "param_value", "Input should be {what}, got {value}", {"what": what, "value": value}
            )
        return float(value)

    def check(value: Any) -> Param:
        if isinstance(value, ByColumn):
            parsed = value
        elif isinstance(value, dict):
            try:
                parsed = ByColumn.model_validate(value)
            except ValidationError as exc:
                problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
                raise PydanticCustomError("by_column", "{problems}", {"problems": problems}) from exc
        else:
            return number(value)
        for v in parsed.values():
            number(v)
        return parsed

    return PlainValidator(check, json_schema_input_type=float | ByColumn)


AnyParam = Annotated[Param, _checked(lambda v: True, "a finite number")]
PositiveParam = Annotated[Param, _checked(lambda v: v > 0, "greater than 0")]
ProbParam = Annotated[Param, _checked(lambda v: 0 <= v <= 1, "a probability in [0, 1]")]
CountParam = Annotated[Param, _checked(lambda v: v >= 0 and float(v).is_integer(), "a whole number >= 0")]


def invalid(field: str, message: str) -> PydanticCustomError:
    """An error from a whole-entry check that still names the field it is about."""
    return PydanticCustomError(
        "invalid_parameter", "field '{field}': {message}", {"field": field, "message": message}
    )


def constant(value: Param) -> float | None:
    """The number, or None when the parameter varies per row."""
    return None if isinstance(value, ByColumn) else float(value)


def check_bounds(bounds: Bounds | None, field: str) -> None:
    """A SpecError unless ``bounds`` is an ordered (low, high) pair."""
    if bounds is not None and None not in bounds and bounds[0] >= bounds[1]:  # type: ignore[operator]
        raise invalid(field, f"low ({bounds[0]}) must be below high ({bounds[1]})")


def intersect(a: Bounds, b: Bounds | None) -> Bounds:
    """The tighter of two [low, high] ranges (None = unbounded on that side)."""
    if b is None:
        return a
    low = b[0] if a[0] is None else (a[0] if b[0] is None else max(a[0], b[0]))
    high = b[1] if a[1] is None else (a[1] if b[1] is None else min(a[1], b[1]))
    return (low, high)


def check_matrix(rows: list[list[float]], size: int, what: str) -> None:
    """Square, of the given size, symmetric."""
    if len(rows) != size or any(len(r) != size for r in rows):
        shape = f"{len(rows)}x{len(rows[0]) if rows else 0}"
        raise invalid(what, f"must be {size}x{size} (one row and column per column), got {shape}")
    for i in range(size):
        for j in range(i):
            if abs(rows[i][j] - rows[j][i]) > 1e-9:
                raise invalid(what, f"must be symmetric: [{i}][{j}]={rows[i][j]} but [{j}][{i}]={rows[j][i]}")


def min_eigenvalue(rows: list[list[float]]) -> float:
    """The smallest eigenvalue of a symmetric matrix (negative means not a valid covariance)."""
    import numpy as np  # lazy: the spec stays importable without numpy's start-up cost

    return float(np.linalg.eigvalsh(np.asarray(rows, dtype=float)).min())


class SamplerColumn(ColumnBase):
    """A scaffold sampler entry; the columns its conditional parameters read are its dependencies.

    ``null_rate`` blanks values missing completely at random (each row independently, from a stream of
    its own, so the values that stay are the ones drawn without it).
    """

    null_rate: float = Field(
        default=0.0, ge=0, lt=1, description="Share of values left missing, at random (MCAR)."
    )

    @override
    def dependencies(self) -> set[str]:
        return {p.by for p in _params(self)} - set(self.output_names())

    def null_rates(self) -> dict[str, float]:
        """Output column -> share of missing values, for the columns that have any."""
        return dict.fromkeys(self.output_names(), self.null_rate) if self.null_rate > 0 else {}

    def value_schemas(self) -> list[Any]:
        """Type and bounds of each output column, before missing values are considered."""
        return ColumnBase.column_schemas(self)

    @override
    def column_schemas(self) -> list[Any]:
        rates = self.null_rates()
        return [s.model_copy(update={"nullable": True}) if rates.get(s.name) else s for s in self.value_schemas()]


def _params(value: Any) -> Iterator[ByColumn]:
    if isinstance(value, ByColumn):
        yield value
    elif isinstance(value, StrictModel):
        for name in type(value).model_fields:
            yield from _params(getattr(value, name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from _params(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _params(item)


class NumericColumn(SamplerColumn):
    """A single numeric column with optional exact truncation (``bounds``), ``clip`` and ``round``."""

    name: str
    bounds: Bounds | None = Field(
        default=None, description="[low, high]: draw from the distribution truncated to this range (exact)."
    )
    clip: Bounds | None = Field(default=None, description="[low, high]: clamp values after drawing.")
    round: int | None = Field(
        default=None, ge=0, description="Round to this many decimals (0 gives integers)."
    )

    @model_validator(mode="after")
    def _check_ranges(self) -> NumericColumn:
        check_bounds(self.bounds, "bounds")
        check_bounds(self.clip, "clip")
        return self

    @property
    def discrete(self) -> bool:
        """Whether values are whole numbers by nature (Poisson, binomial, ...)."""
        return False

    def support(self) -> Bounds:
        """Values the distribution itself can take (before bounds/clip)."""
        return (None, None)

    def value_range(self) -> Bounds:
        """Where every output value lies, after bounds, clip and rounding."""
        low, high = intersect(intersect(self.support(), self.bounds), self.clip)
        digits = 0 if self.discrete else self.round
        if digits is not None:
            scale = 10.0**digits
            low = None if low is None else math.ceil(low * scale - 1e-9) / scale
            high = None if high is None else math.floor(high * scale + 1e-9) / scale
        return low, high

    @property
    def integer_output(self) -> bool:
        """Whether the column is written as integers (a discrete law or round: 0)."""
        return self.discrete or self.round == 0

    @override
    def value_schemas(self) -> list[Any]:
        from llmsynth.spec.schema import ColumnSchema

        low, high = self.value_range()
        return [
            ColumnSchema(
                name=self.name, type="integer" if self.integer_output else "number", minimum=low, maximum=high
            )
        ]


class DataSource(StrictModel):
    """Sample data given as a file (csv/parquet/jsonl, relative to the spec) or inline rows."""

    file: str | None = Field(default=None, description="Table to learn from, relative to the spec file.")
    rows: list[dict[str, Any]] | None = Field(default=None, min_length=1, description="Inline sample rows.")

    def has_data(self) -> bool:
        """Whether sample data is given (a file or inline rows)."""
        return self.file is not None or self.rows is not None


_PSD_TOLERANCE = 1e-10

def check_psd(rows: list[list[float]], what: str, repair: bool) -> None:
    """A SpecError unless the matrix is positive semi-definite (or ``repair`` asks for the nearest one)."""
    smallest = min_eigenvalue(rows)
    if smallest < -_PSD_TOLERANCE and not repair:
        raise invalid(
            what,
            f"is not positive semi-definite (smallest eigenvalue {smallest:.4g}); fix it or set "
            "repair: true to use the nearest valid matrix",
        )


def check_correlation(rows: list[list[float]], size: int, what: str = "corr") -> None:
    """A SpecError unless the matrix is a correlation matrix: square, unit diagonal, entries in [-1, 1]."""
    check_matrix(rows, size, what)
    for i, row in enumerate(rows):
        if abs(row[i] - 1) > 1e-9:
            raise invalid(what, f"must have 1 on the diagonal, got {row[i]} at [{i}][{i}]")
        if any(not -1 <= v <= 1 for v in row):
            raise invalid(what, f"entries must lie in [-1, 1] (row {i}: {row})")


def check_unique(names: list[str]) -> None:
    """A SpecError when a column name repeats."""
    if len(set(names)) != len(names):
        raise invalid("columns", f"columns repeat a name: {names}")
