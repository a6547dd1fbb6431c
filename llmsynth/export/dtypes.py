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
    if pd.api.types.is_bool_dtype(series.dtype):  # bool or boolean already: no need to look at each value
        return series.astype("boolean") if schema.nullable and series.dtype == bool else series
    present = series.dropna()
    if not present.map(lambda v: isinstance(v, bool | np.bool_)).all():
        return series
    if schema.nullable or series.isna().any():
        return series.astype("boolean")
    return series.astype(bool)


def _choice(series: pd.Series, schema: ColumnSchema) -> pd.Series:
    declared = list(schema.choices or ())
    # each distinct value is looked at once (a million rows hold a handful of labels)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    labels = [str(u) for u in uniques]
    extra = sorted(set(labels) - set(declared))  # kept, never turned into missing values
    categories = declared + extra
    position = {label: i for i, label in enumerate(categories)}
    mapping = np.array([position[label] for label in labels] + [-1], dtype=np.int64)  # -1: missing
    return pd.Series(
        pd.Categorical.from_codes(mapping[codes], categories=categories), index=series.index, name=series.name
    )


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
    out = frame.copy(deep=False)  # only converted columns are replaced: no copy of the others
    for name in frame.columns:
        if name in schemas:
            series = frame[name]
            typed = typed_column(series, schemas[name])
            if typed.dtype != series.dtype:
                out[name] = typed
    return out
