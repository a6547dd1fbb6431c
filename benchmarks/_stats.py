"""Distances and associations the benchmarks report: total variation distance between two samples (by
value or over equal bins), Cramér's V between two columns, and the small shares the tables print.

Plain numpy/pandas/scipy, no llmsynth imports, so the figures mean the same whatever the engine does.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency

CUT_ENDINGS = (",", ";", ":", "-", "(")


def shares(values: Iterable[Hashable]) -> dict[Hashable, float]:
    """Each distinct value's share of the sample (missing values count as one value, None)."""
    series = pd.Series(list(values), dtype=object)
    if series.empty:
        return {}
    counts = series.where(series.notna(), None).value_counts(dropna=False, normalize=True)
    return {key: float(share) for key, share in counts.items()}


def tvd(p: Mapping[Hashable, float], q: Mapping[Hashable, float]) -> float:
    """Total variation distance between two distributions given as value -> probability."""
    keys = set(p) | set(q)
    return 0.5 * sum(abs(p.get(k, 0.0) - q.get(k, 0.0)) for k in keys)


def sample_tvd(a: Iterable[Hashable], b: Iterable[Hashable]) -> float:
    """TVD between the empirical distributions of two samples, value by value (choices, booleans)."""
    return tvd(shares(a), shares(b))


def bin_index(values: Sequence[float] | np.ndarray, low: float, high: float, bins: int = 10) -> np.ndarray:
    """Index of the equal-width bin over [low, high] each value falls in; ``high`` itself goes in the
    last bin and values outside the bounds in the nearest end bin."""
    if high <= low:
        raise ValueError(f"bin bounds must satisfy low < high, got [{low}, {high}]")
    x = np.asarray(values, dtype=float)
    index = np.floor((x - low) / (high - low) * bins).astype(int)
    return np.clip(index, 0, bins - 1)


def binned_tvd(a: Sequence[float], b: Sequence[float], low: float, high: float, bins: int = 10) -> float:
    """TVD between two numeric samples after binning both into ``bins`` equal bins over [low, high]."""
    return sample_tvd(bin_index(a, low, high, bins).tolist(), bin_index(b, low, high, bins).tolist())


def cramers_v(x: Iterable[Hashable], y: Iterable[Hashable]) -> float:
    """Cramér's V of the contingency table of two categorical samples (no bias correction, no Yates
    correction): 0 for independence, 1 when either determines the other. 0 when a side is constant."""
    table = pd.crosstab(pd.Series(list(x), dtype=object), pd.Series(list(y), dtype=object))
    rows, cols = table.shape
    if min(rows, cols) < 2:
        return 0.0
    n = float(table.to_numpy().sum())
    chi2 = float(chi2_contingency(table.to_numpy(), correction=False).statistic)
    return float(np.sqrt(chi2 / (n * (min(rows, cols) - 1))))


def quintiles(values: Sequence[Any]) -> list[Hashable]:
    """Numbers with more than five distinct values as their quintile (0..4); anything else as is, so
    a prompt variable can enter a contingency table."""
    series = pd.Series(list(values))
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series) or series.nunique() <= 5:
        return series.tolist()
    binned = pd.qcut(series.astype(float), 5, labels=False, duplicates="drop")  # ties stay in one bin
    return [int(v) for v in binned]


def top_share(values: Iterable[Hashable]) -> float:
    """Share of the most common value (1.0 when every row says the same)."""
    found = shares(values)
    return max(found.values()) if found else 0.0


def distinct_ratio(values: Iterable[Hashable]) -> float:
    """Distinct values over rows (1.0 when no value repeats)."""
    items = list(values)
    return len(set(items)) / len(items) if items else 0.0


def looks_cut(value: str, max_length: int) -> bool:
    """A proxy for text chopped by its length limit: exactly ``max_length`` characters long, or ending
    in punctuation that announces more (``, ; : - (``)."""
    text = value.rstrip()
    return len(value) == max_length or text.endswith(CUT_ENDINGS)


def cut_share(values: Iterable[Any], max_length: int) -> float:
    """Share of string values that :func:`looks_cut` flags."""
    texts = [v for v in values if isinstance(v, str)]
    return sum(looks_cut(v, max_length) for v in texts) / len(texts) if texts else 0.0
