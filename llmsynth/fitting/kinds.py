"""Infer what each column of a real table is, from its dtype, its values and their cardinality.

The kinds decide the model: numbers get a marginal in the copula, categories frequencies, identifiers
fresh ids (never the real ones), free text an LLM column. Users override any guess (``--kind col=kind``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from llmsynth.errors import InputDataError
from llmsynth.fitting.options import Kind

MAX_CATEGORY_SHARE = 0.5  # more distinct labels than this share of the rows: text or ids, not categories
MIN_DISTINCT_FOR_TEXT = 10
MAX_ID_LENGTH = 64
_ID_NAME = re.compile(r"(^|[_\s-])(id|uuid|key)$|^id[_\s-]", re.IGNORECASE)
_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$")
_TRUE_FALSE = ({"true", "false"}, {"yes", "no"}, {"y", "n"}, {"t", "f"})


def infer_kinds(frame: pd.DataFrame, overrides: Mapping[str, str] | None = None) -> dict[str, Kind]:
    """Column name -> kind; overrides win (and must name existing columns)."""
    overrides = dict(overrides or {})
    unknown = [c for c in overrides if c not in frame.columns]
    if unknown:
        known = ", ".join(map(str, frame.columns))
        raise InputDataError(f"--kind names column(s) {', '.join(unknown)} not in the data; columns: {known}")
    return {str(c): overrides.get(str(c)) or infer_kind(frame[c], str(c)) for c in frame.columns}  # type: ignore[misc]


def infer_kind(series: pd.Series, name: str = "") -> Kind:
    """The kind of one column (see the module docstring)."""
    values = series.dropna()
    if values.empty:
        return "ignore"
    if is_bools(values):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "datetime"
    if pd.api.types.is_numeric_dtype(values):
        return _numeric_kind(values.astype(float), name)
    text = values.astype(str)
    if _looks_like_dates(text):
        return "datetime"
    distinct = text.nunique()
    if distinct == 2 and {v.strip().lower() for v in text.unique()} in _TRUE_FALSE:
        return "boolean"
    if distinct < MIN_DISTINCT_FOR_TEXT or distinct <= MAX_CATEGORY_SHARE * len(text):
        return "categorical"
    coded = bool(text.str.fullmatch(r"\S*\d\S*").all()) and text.str.len().max() <= MAX_ID_LENGTH
    # unique codes with digits (C00042, 7f3a-...) are ids; unique words (names, countries) are text
    return "identifier" if distinct == len(text) and coded else "text"


def is_bools(values: pd.Series) -> bool:
    """True/False values: a bool dtype, or objects that are all booleans (a bool column with gaps)."""
    present = values.dropna()
    if pd.api.types.is_bool_dtype(present):
        return True
    return present.dtype == object and len(present) > 0 and bool(present.map(type).isin([bool, np.bool_]).all())


def _numeric_kind(values: pd.Series, name: str) -> Kind:
    numbers = values.to_numpy(dtype=float)
    distinct = np.unique(numbers)
    if len(distinct) == 2 and set(distinct.tolist()) == {0.0, 1.0}:
        return "boolean"
    if not np.all(numbers == np.round(numbers)):
        return "continuous"
    unique_rows = len(distinct) == len(numbers) and len(numbers) >= MIN_DISTINCT_FOR_TEXT
    consecutive = unique_rows and distinct[-1] - distinct[0] + 1 == len(distinct)
    if unique_rows and (consecutive or _ID_NAME.search(name)):
        return "identifier"
    return "integer"


def _looks_like_dates(text: pd.Series) -> bool:
    sample = text.head(200)
    if not sample.str.match(_DATE_TEXT).all():
        return False
    return bool(pd.to_datetime(sample, format="ISO8601", errors="coerce").notna().all())


def as_datetimes(series: pd.Series) -> pd.Series:
    """A datetime column from datetime64 values or ISO text; unparsable values become NaT."""
    if pd.api.types.is_datetime64_any_dtype(series):
        stamps = series
    else:
        stamps = pd.to_datetime(series, format="ISO8601", errors="coerce")
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    return stamps.astype("datetime64[ns]")
