"""Give a generated table the pandas dtypes its spec declares, so a notebook user gets what the spec
says rather than what the last chunk happened to hold: choices as ``category`` (in the spec's order),
dates as ``datetime64``, integers as ``int64`` (``Int64`` when the column may be missing), booleans as
``bool`` (``boolean`` when nullable), numbers as ``float64``. Strings keep pandas' string dtype.

A conversion that would lose a value (a value outside the choices, text that is not a date) is not
made: the column keeps its dtype rather than silently gaining missing values.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from llmsynth.spec.schema import ColumnSchema


def _integer(series: pd.Series, schema: ColumnSchema) -> pd.Series:
    numbers = pd.to_numeric(series, errors="coerce")
    if numbers.notna().sum() != series.notna().sum():
        return series
    present = numbers.dropna().to_numpy(dtype=float)
    if not np.array_equal(present, np.round(present)):
        return series
    if schema.nullable or numbers.isna().any():
        return numbers.astype("Int64")
    return numbers.astype("int64")


def _boolean(series: pd.Series, schema: ColumnSchema) -> pd.Series:
    present = series.dropna()
    if not present.map(lambda v: isinstance(v, bool | np.bool_)).all():
        return series
    if schema.nullable or series.isna().any():
        return series.astype("boolean")
    return series.astype(bool)


def _choice(series: pd.Series, schema: ColumnSchema) -> pd.Series:
    declared = list(schema.choices or ())
    labels = series.map(lambda v: v if pd.isna(v) else str(v))
    extra = sorted(set(labels.dropna()) - set(declared))  # kept, never turned into missing values
    return labels.astype(pd.CategoricalDtype(categories=declared + extra))


def _datetime(series: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series):
        return series
    stamps = pd.to_datetime(series, errors="coerce")
    return stamps if stamps.notna().sum() == series.notna().sum() else series


def _number(series: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(series, errors="coerce")
    return numbers.astype("float64") if numbers.notna().sum() == series.notna().sum() else series


def typed_column(series: pd.Series, schema: ColumnSchema) -> pd.Series:
    """One column in the dtype its schema declares (unchanged when that would lose a value)."""
    if schema.type == "choice":
        return _choice(series, schema)
    if schema.type == "integer":
        return _integer(series, schema)
    if schema.type == "number":
        return _number(series)
    if schema.type == "boolean":
        return _boolean(series, schema)
    if schema.type in ("date", "datetime"):
        return _datetime(series)
    return series


def with_spec_dtypes(frame: pd.DataFrame, column_schemas: Iterable[ColumnSchema]) -> pd.DataFrame:
    """A copy of ``frame`` whose columns have the dtypes of their schemas (``spec.column_schemas()``);
    columns without a schema are left alone."""
    schemas = {s.name: s for s in column_schemas}
    typed = {name: typed_column(frame[name], schemas[name]) if name in schemas else frame[name]
             for name in frame.columns}
    return pd.DataFrame(typed, index=frame.index)
