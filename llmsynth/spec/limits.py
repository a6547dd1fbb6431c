"""Upper bounds on the numbers in a spec, checked at load time, so no parameter can make sampling
overflow, hang in a quantile search or allocate without bound.

Why these numbers (all documented in docs/hostile-input.md):
- ``FLOAT_LIMIT`` 1e300: values a float column may reach, leaving room for rounding and sums below
  the float64 maximum (1.8e308).
- ``INT_LIMIT`` 2^53: integer columns stay exact in float64 and far from int64 overflow.
- The sampler draws uniforms in [1e-15, 1 - 1e-15]: ``Z`` = 8 normal deviations and ``TAIL`` = 35
  exponential scales bound its most extreme values.
- Discrete families: scipy's quantile function turns NaN or slow (milliseconds per value) beyond
  the bounds below (measured: Poisson mean 1e10 takes 11 ms per value, 1e11 gives NaN).
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from llmsynth.errors import SpecError
from llmsynth.spec.base import ColumnBase
from llmsynth.spec.dataset import DatasetSpec
from llmsynth.spec.kinds.base import NumericColumn
from llmsynth.spec.kinds.basic import CategoricalSpec, DateSpec, IdSpec, IntegerSpec
from llmsynth.spec.kinds.expression import ExpressionColumn, parse_expression
from llmsynth.spec.kinds.fixed_sum import FixedSumSpec
from llmsynth.spec.kinds.graphs import GraphSpec
from llmsynth.spec.kinds.mixture import MixtureSpec
from llmsynth.spec.kinds.montecarlo import EmpiricalSpec
from llmsynth.spec.kinds.multivariate import CopulaSpec, MultivariateNormalSpec
from llmsynth.spec.kinds.timeseries import ArmaSpec
from llmsynth.spec.limits_families import FamilyProblem, family_range
from llmsynth.spec.llm import LLMGroup

FLOAT_LIMIT = 1e300
INT_LIMIT = 2**53
MAX_ROUND = 15
MAX_ROWS = 1_000_000_000
MAX_CHUNK_ROWS = 1_000_000
MAX_BATCH = 100_000
MAX_RETRIES = 100
MAX_NEW_TOKENS = 100_000
MAX_TEXT_CHARS = 100_000
MAX_CHOICES = 100_000
MAX_BINS = 1_000_000
MAX_SERIES_VALUES = 100_000_000
MAX_BURNIN = 1_000_000
MAX_GRAPH_EDGES = 10_000_000
MAX_COMPONENTS = 100
MAX_ID_WIDTH = 64
MAX_PREFIX_CHARS = 1_000
MAX_VARIANCE = 1e200
# pandas stores timestamps as int64 nanoseconds: 1677-09-22 to 2262-04-11
FIRST_DATE, LAST_DATE = "1678-01-01", "2262-04-10"
# inline data (few-shot examples, sample rows) is data, not parameters: it is not range-checked here
_DATA_FIELDS = frozenset({"examples", "rows"})

Problem = tuple[str, str]  # (field, message)


def check_limits(spec: DatasetSpec) -> None:
    """Raise a SpecError naming the column and the parameter for the first number out of range."""
    for field, message in _dataset_problems(spec):
        raise SpecError(f"field '{field}': {message}")
    for column in spec.columns:
        for field, message in column_problems(column):
            raise SpecError(f"field '{field}': {message}", column=column.label)


def _dataset_problems(spec: DatasetSpec) -> Iterator[Problem]:
    if spec.rows > MAX_ROWS:
        yield "rows", f"{spec.rows:,} rows is more than the limit of {MAX_ROWS:,} per run"
    generation = spec.generation
    yield from _at_most("generation.chunk_size", generation.chunk_size, MAX_CHUNK_ROWS)
    yield from _at_most("generation.retries", generation.retries, MAX_RETRIES)
    yield from _at_most("generation.max_new_tokens", generation.max_new_tokens, MAX_NEW_TOKENS)
    if isinstance(spec.model.batch_size, int):
        if spec.model.batch_size < 1:
            yield "model.batch_size", f"must be at least 1, got {spec.model.batch_size}"
        yield from _at_most("model.batch_size", spec.model.batch_size, MAX_BATCH)


def _at_most(field: str, value: float | None, limit: float) -> Iterator[Problem]:
    if value is not None and value > limit:
        yield field, f"{value:,} is more than the limit of {limit:,}"


def column_problems(column: ColumnBase, prefix: str = "") -> Iterator[Problem]:
    """Every out-of-range number of one column entry, as (field, message)."""
    for field, value in _numbers(column, prefix):
        if isinstance(value, float) and math.isnan(value):
            yield field, "is NaN (not a number)"
        elif isinstance(value, float) and math.isinf(value):
            yield field, f"{value} is not finite (write null for no bound)"
        elif abs(value) > FLOAT_LIMIT:
            yield field, f"{value:.4g} is beyond the limit of ±{FLOAT_LIMIT:g}"
    yield from _kind_problems(column, prefix)


def _numbers(value: Any, path: str) -> Iterator[tuple[str, float]]:
    """(dotted field, number) for every number in the entry, skipping inline data."""
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            if name not in _DATA_FIELDS:
                yield from _numbers(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _numbers(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _numbers(item, f"{path}[{index}]")


def _kind_problems(column: ColumnBase, prefix: str) -> Iterator[Problem]:
    def f(name: str) -> str:
        return f"{prefix}{name}"

    if isinstance(column, NumericColumn | ExpressionColumn):
        digits = column.round
        if digits is not None and abs(digits) > MAX_ROUND:
            yield f("round"), f"{digits} decimals is beyond the {MAX_ROUND} that float64 holds"
    if isinstance(column, ExpressionColumn):
        yield from _expression_problems(column, prefix)
    if isinstance(column, NumericColumn):
        yield from _value_range_problems(column, prefix)
    if isinstance(column, IntegerSpec):
        for name in ("low", "high"):
            yield from _integer(f(name), getattr(column, name))
    elif isinstance(column, IdSpec):
        if abs(column.start) > INT_LIMIT - MAX_ROWS:
            yield f("start"), f"{column.start} leaves no room for {MAX_ROWS:,} ids below 2^53"
        yield from _at_most(f("width"), column.width, MAX_ID_WIDTH)
        if len(column.prefix) > MAX_PREFIX_CHARS:
            yield f("prefix"), f"{len(column.prefix):,} characters is more than {MAX_PREFIX_CHARS:,}"
    elif isinstance(column, DateSpec):
        if column.start.isoformat() < FIRST_DATE or column.end.isoformat() > LAST_DATE:
            yield f("start"), f"dates must lie between {FIRST_DATE} and {LAST_DATE} (pandas timestamps)"
    elif isinstance(column, CategoricalSpec):
        yield from _weights_problems(column, prefix)
    elif isinstance(column, LLMGroup):
        yield from _llm_problems(column)
    elif isinstance(column, CopulaSpec):
        for name, marginal in column.columns.items():
            yield from _kind_problems(marginal, f"{prefix}columns.{name}.")
    elif isinstance(column, FixedSumSpec):
        limit = INT_LIMIT if column.integer else FLOAT_LIMIT
        if column.total is not None and column.total > limit:
            yield f("total"), f"{column.total:.4g} is beyond the limit of {limit:.4g}"
    elif isinstance(column, MultivariateNormalSpec):
        yield from _gaussian_problems(column.mean, column.cov, column.sd, prefix)
    elif isinstance(column, MixtureSpec):
        if isinstance(column.components, int):
            yield from _at_most(f("components"), column.components, MAX_COMPONENTS)
        for index, cov in enumerate(column.covariances or []):
            yield from _gaussian_problems(None, cov, None, f"{prefix}covariances[{index}].")
    elif isinstance(column, ArmaSpec):
        yield from _arma_problems(column, prefix)
    elif isinstance(column, GraphSpec):
        yield from _graph_problems(column, prefix)
    if isinstance(column, EmpiricalSpec):
        yield from _at_most(f("bins"), column.bins, MAX_BINS)


def _expression_problems(column: ExpressionColumn, prefix: str) -> Iterator[Problem]:
    """Integer powers of constants are computed in int64 by numpy: 2**100 would wrap around silently."""
    for node in ast.walk(parse_expression(column.expr)):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            base, power = node.left, node.right
            if (isinstance(base, ast.Constant) and isinstance(power, ast.Constant)
                    and type(base.value) is int and type(power.value) is int
                    and power.value > 0 and abs(base.value) > 1
                    and math.log2(abs(base.value)) * power.value >= 63):
                yield f"{prefix}expr", (
                    f"{base.value}**{power.value} overflows 64-bit integers; write {base.value}.0**{power.value} "
                    "for a float"
                )


def _integer(field: str, value: int) -> Iterator[Problem]:
    if abs(value) > INT_LIMIT:
        yield field, f"{value} is beyond ±2^53 (the largest integers stored exactly)"


def _value_range_problems(column: NumericColumn, prefix: str) -> Iterator[Problem]:
    """The most extreme value the sampler can draw must fit the column's type."""
    try:
        found = family_range(column)
    except FamilyProblem as problem:
        yield f"{prefix}{problem.field}", str(problem)
        return
    if found is None:
        return
    low, high = found
    for limits in (column.bounds, column.clip):
        if limits is not None:
            low = low if limits[0] is None else max(low, limits[0])
            high = high if limits[1] is None else min(high, limits[1])
    reach = max(abs(low), abs(high))
    if column.integer_output and reach > INT_LIMIT:
        yield f"{prefix}{_main_param(column)}", (
            f"integer values would reach {reach:.4g}, beyond 2^53; use smaller parameters, bounds or clip"
        )
    elif column.round is not None and reach * 10.0**column.round > FLOAT_LIMIT:
        yield f"{prefix}round", f"rounding values near {reach:.4g} to {column.round} decimals overflows"
    elif not math.isfinite(reach) or reach > FLOAT_LIMIT:
        yield f"{prefix}{_main_param(column)}", (
            f"values would reach {reach:.4g}, beyond ±{FLOAT_LIMIT:g}; use smaller parameters, bounds or clip"
        )


def _main_param(column: NumericColumn) -> str:
    for name in ("mu", "mean", "scale", "lam", "n", "high", "params"):
        if name in type(column).model_fields:
            return name
    return "kind"


def _weights_problems(column: CategoricalSpec, prefix: str) -> Iterator[Problem]:
    tables: list[Any] = [column.categories, column.default]
    if column.by is not None and isinstance(column.categories, dict):
        tables = [*column.categories.values(), column.default]
    for table in tables:
        if isinstance(table, dict) and not math.isfinite(sum(float(v) for v in table.values())):
            yield f"{prefix}categories", "weights add up to more than the float range"
    count = sum(len(t) for t in tables if isinstance(t, list | dict))
    yield from _at_most(f"{prefix}categories", count, MAX_CHOICES)


def _llm_problems(group: LLMGroup) -> Iterator[Problem]:
    for name, field in group.fields.items():
        yield from _at_most(f"fields.{name}.max_length", field.max_length, MAX_TEXT_CHARS)
        yield from _at_most(f"fields.{name}.min_length", field.min_length, MAX_TEXT_CHARS)
        yield from _at_most(f"fields.{name}.choices", len(field.choices or ()), MAX_CHOICES)
        if field.type == "integer":
            for bound in ("min", "max"):
                value = getattr(field, bound)
                if value is not None and abs(value) > INT_LIMIT:
                    yield f"fields.{name}.{bound}", f"{value:.4g} is beyond ±2^53"


def _gaussian_problems(
    mean: list[float] | None, cov: list[list[float]] | None, sd: list[float] | None, prefix: str
) -> Iterator[Problem]:
    for i, row in enumerate(cov or []):
        for j, value in enumerate(row):
            if abs(value) > MAX_VARIANCE:
                yield f"{prefix}cov[{i}][{j}]", f"{value:.4g} is beyond the limit of {MAX_VARIANCE:g} for a covariance"
    for i, value in enumerate(sd or []):
        if value * value > MAX_VARIANCE:
            yield f"{prefix}sd[{i}]", f"{value:.4g} is beyond the limit of {math.sqrt(MAX_VARIANCE):g}"


def _arma_problems(column: ArmaSpec, prefix: str) -> Iterator[Problem]:
    length = column.length or MAX_ROWS // max(column.series, 1)
    yield from _at_most(f"{prefix}burnin", column.burnin, MAX_BURNIN)
    if column.length is not None and (column.length + column.burnin) * column.series > MAX_SERIES_VALUES:
        yield f"{prefix}length", (
            f"{column.series} series of {column.length + column.burnin:,} steps is more than "
            f"{MAX_SERIES_VALUES:,} values"
        )
    if abs(column.trend) * length > FLOAT_LIMIT:
        yield f"{prefix}trend", f"a trend of {column.trend:.4g} per step overflows over {length:,} steps"


def _graph_problems(column: GraphSpec, prefix: str) -> Iterator[Problem]:
    n = column.nodes
    expected = {
        "erdos_renyi": n * (n - 1) / 2 * (column.p or 0.0),
        "barabasi_albert": (column.m or 0) * n,
        "watts_strogatz": n * (column.k or 0) / 2,
    }[column.model]
    if expected > MAX_GRAPH_EDGES:
        yield f"{prefix}nodes", f"about {expected:,.0f} edges is more than the limit of {MAX_GRAPH_EDGES:,}"
