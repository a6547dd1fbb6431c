"""Turn the real table into what the models learn from, applying the privacy options on the way:
extremes clipped to inner quantiles, seeded Gaussian noise on numbers and dates, and categories seen in
fewer than ``min_count`` rows grouped into ``other`` (or dropped, or kept)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from llmsynth.fitting.kinds import as_datetimes, is_bools
from llmsynth.fitting.marginals import MAX_DISCRETE_VALUES
from llmsynth.fitting.options import FitOptions, Kind

OTHER = "other"
NUMERIC_KINDS = ("continuous", "integer")


def prepare(
    frame: pd.DataFrame, kinds: Mapping[str, Kind], options: FitOptions, rng: np.random.Generator
) -> pd.DataFrame:
    """Numbers as float (NaN missing), dates as datetime64, categories as grouped text labels (None missing).

    Boolean columns keep their values (bool, 0/1 numbers or two text labels); other kinds are passed through.
    """
    out = {}
    for name, kind in kinds.items():
        series = frame[name]
        if kind in NUMERIC_KINDS:
            values = pd.to_numeric(series, errors="coerce").astype(float).to_numpy()
            values = _protect(values, options, rng, whole=kind == "integer")
            out[name] = merge_rare_numbers(values, options) if kind == "integer" else values
        elif kind == "datetime":
            stamps = as_datetimes(series)
            seconds = stamps.to_numpy(dtype="datetime64[ns]").astype("datetime64[s]").astype(np.int64).astype(float)
            seconds[stamps.isna().to_numpy()] = np.nan
            protected = _protect(seconds, options, rng, whole=True)
            out[name] = pd.to_datetime(pd.Series(protected), unit="s")
        elif kind == "categorical":
            out[name] = group_rare(series, options)
        elif kind == "boolean" and is_bools(series):
            out[name] = series.map(lambda v: None if _missing(v) else bool(v)).astype(object)
        elif kind == "boolean":
            if pd.api.types.is_numeric_dtype(series):
                out[name] = merge_rare_numbers(pd.to_numeric(series, errors="coerce").astype(float).to_numpy(), options)
            else:
                out[name] = group_rare(series, options)
        else:
            out[name] = series.to_numpy()
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))


def _protect(values: np.ndarray, options: FitOptions, rng: np.random.Generator, *, whole: bool) -> np.ndarray:
    present = ~np.isnan(values)
    x = values[present]
    if len(x) == 0:
        return values
    if options.clip > 0:
        low, high = np.quantile(x, [options.clip, 1 - options.clip])
        if whole:
            low, high = np.ceil(low), np.floor(high)
        x = np.clip(x, low, high)
    if options.noise > 0 and len(x) > 1:
        scale = options.noise * float(np.std(x, ddof=1))
        x = x + rng.normal(0.0, scale, size=len(x))
        if whole:
            x = np.round(x)
    out = values.copy()
    out[present] = x
    return out


def merge_rare_numbers(values: np.ndarray, options: FitOptions) -> np.ndarray:
    """For whole numbers with few distinct values (kept as exact frequencies): a value seen in fewer than
    ``min_count`` rows moves to the nearest frequent value (``group``) or becomes missing (``drop``)."""
    present = ~np.isnan(values)
    distinct, counts = np.unique(values[present], return_counts=True)
    frequent = counts >= options.min_count
    if options.rare == "keep" or len(distinct) > MAX_DISCRETE_VALUES or frequent.all() or not frequent.any():
        return values
    kept = distinct[frequent]
    out = values.copy()
    x = values[present]
    nearest = kept[np.abs(x[:, None] - kept[None, :]).argmin(axis=1)]
    out[present] = np.where(np.isin(x, kept), x, nearest if options.rare == "group" else np.nan)
    return out


def group_rare(series: pd.Series, options: FitOptions) -> pd.Series:
    """Text labels; rare ones (fewer than ``min_count`` rows) become ``other``, missing, or stay."""
    labels = series.map(lambda v: None if _missing(v) else str(v)).astype(object)
    counts = labels.value_counts()
    rare = counts.index[counts < options.min_count]
    if options.rare == "keep" or len(rare) == 0:
        return labels
    is_rare = labels.isin(rare)
    if options.rare == "drop":
        if len(rare) == len(counts):  # dropping all would leave nothing: keep the most frequent
            is_rare &= labels != counts.index[0]
        return labels.mask(is_rare, None)
    return labels.mask(is_rare, OTHER)


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
