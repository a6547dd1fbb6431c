"""Declared marginals for LLM choice fields, and how much of the row's influence survives them.

The model's per-row probabilities over the options are reweighted with one factor per option, fitted by
iterative proportional fitting so that the column's expected marginal equals the declared weights. Each row
still ranks the options by its own probabilities, so dependence on the prompt survives; Cramér's V between
the field and each prompt variable, before and after, measures how much (computed on expected counts).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

IPF_ITERATIONS = 200
IPF_TOLERANCE = 1e-9


def fit_factors(probabilities: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Factors w with mean_i(p_i * w / (p_i . w)) == target, for rows p_i of ``probabilities`` [n, k]."""
    target = np.asarray(target, dtype=float)
    target = target / target.sum()
    factors = np.where(target > 0, 1.0, 0.0)
    for _ in range(IPF_ITERATIONS):
        marginal = calibrated(probabilities, factors).mean(axis=0)
        ratio = np.divide(target, marginal, out=np.zeros_like(target), where=marginal > 0)
        factors = factors * ratio
        factors = factors / factors.max() if factors.max() > 0 else np.ones_like(factors)
        if np.abs(marginal - target).max() < IPF_TOLERANCE:
            break
    return factors


def calibrated(probabilities: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Each row's probabilities times the factors, renormalised (rows with no mass left stay uniform)."""
    weighted = probabilities * factors
    totals = weighted.sum(axis=1, keepdims=True)
    uniform = np.full_like(weighted, 1.0 / weighted.shape[1])
    result: np.ndarray = np.divide(weighted, totals, out=uniform, where=totals > 0)
    return result


def expected_cramers_v(variable: Sequence[Any], probabilities: np.ndarray) -> float | None:
    """Cramér's V of the table (variable level x option) of expected counts; numbers binned in quintiles."""
    series = pd.Series(list(variable))
    if series.nunique(dropna=True) < 2:
        return None
    if pd.api.types.is_numeric_dtype(series) and series.nunique() > 5:
        series = pd.qcut(series.rank(method="first"), 5, labels=False)
    codes, _ = pd.factorize(series)
    table = np.zeros((codes.max() + 1, probabilities.shape[1]))
    np.add.at(table, codes, probabilities)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2:
        return 0.0
    total = table.sum()
    expected = table.sum(1, keepdims=True) * table.sum(0, keepdims=True) / total
    chi2 = float(((table - expected) ** 2 / np.where(expected > 0, expected, 1)).sum())
    return float(np.sqrt(chi2 / (total * (min(table.shape) - 1))))


def dependence_report(
    field: str, frame: pd.DataFrame, variables: Sequence[str], raw: np.ndarray, adjusted: np.ndarray
) -> dict[str, Any]:
    """Cramér's V of the field with each prompt variable, for the model's and the calibrated probabilities."""
    report: dict[str, Any] = {"field": field, "rows": int(raw.shape[0]), "cramers_v": {}}
    for name in variables:
        if name in frame.columns:
            before = expected_cramers_v(frame[name].tolist(), raw)
            after = expected_cramers_v(frame[name].tolist(), adjusted)
            if before is not None:
                report["cramers_v"][name] = {"model": round(before, 4), "calibrated": round(after or 0.0, 4)}
    return report
