"""Column kinds and small distances shared by the metric modules, so every family agrees on
what counts as a number, a category, a date or free text."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from llmsynth.spec.schema import ColumnSchema

Kind = Literal["numeric", "categorical", "datetime", "text"]

# an object column with more distinct values than this share of its rows is free text, not a category
TEXT_DISTINCT_RATIO = 0.5
TEXT_MIN_DISTINCT = 10  # fewer distinct values than this are labels, however short the table
_SCHEMA_KINDS: dict[str, Kind] = {
    "integer": "numeric",
    "number": "numeric",
    "choice": "categorical",
    "boolean": "categorical",
    "date": "datetime",
    "datetime": "datetime",
}


def column_kind(series: pd.Series, schema: ColumnSchema | None = None) -> Kind:
    """The kind of one column: from the spec's schema when known, else from the dtype and cardinality."""
    if schema is not None and schema.type in _SCHEMA_KINDS:
        return _SCHEMA_KINDS[schema.type]
    if pd.api.types.is_bool_dtype(series):
        return "categorical"
    if pd.api.types.is_numeric_dtype(series):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "datetime"
    values = series.dropna()
    distinct = values.nunique()
    if distinct >= TEXT_MIN_DISTINCT and distinct > TEXT_DISTINCT_RATIO * len(values):
        return "text"
    return "categorical"


def column_kinds(frame: pd.DataFrame, schemas: Mapping[str, ColumnSchema] | None = None) -> dict[str, Kind]:
    """Each column's kind (numeric, datetime, categorical, text), from the schema when given, else from the values."""
    schemas = schemas or {}
    return {str(c): column_kind(frame[c], schemas.get(str(c))) for c in frame.columns}


def as_numeric(series: pd.Series, kind: Kind) -> pd.Series:
    """Numbers for numeric and datetime columns (datetimes as nanoseconds); unparsable values -> NaN."""
    if kind == "datetime":
        stamps = pd.to_datetime(series, errors="coerce")
        out = pd.Series(stamps.to_numpy(dtype="datetime64[ns]").astype(np.int64), index=series.index, dtype=float)
        return out.mask(stamps.isna())
    return pd.to_numeric(series, errors="coerce").astype(float)


def as_category(series: pd.Series) -> pd.Series:
    """Values as comparable labels: booleans and numbers as their text, missing values kept missing.
    A ``category`` column becomes plain labels first, so unused categories never count as values."""
    return series.astype(object).map(lambda v: None if _missing(v) else str(v))


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def frequencies(series: pd.Series) -> dict[str, float]:
    """Share of each non-missing label."""
    labels = as_category(series).dropna()
    if labels.empty:
        return {}
    counts = labels.value_counts(normalize=True)
    return {str(k): float(v) for k, v in counts.items()}


def tvd(p: Mapping[str, float], q: Mapping[str, float]) -> float:
    """Total variation distance between two discrete distributions given as label -> share."""
    keys = set(p) | set(q)
    return 0.5 * sum(abs(p.get(k, 0.0) - q.get(k, 0.0)) for k in keys)


def clean(value: Any) -> Any:
    """A JSON-able copy: numpy scalars to Python, NaN/inf to None, tuples to lists."""
    if isinstance(value, Mapping):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [clean(v) for v in value]
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if math.isfinite(number) else None
    return value
