"""One column's marginal as a spec entry (a plain dict, without ``name``) and a note saying why.

Numbers: a named family when one passes the goodness-of-fit test (see ``families``), else the quantile
function at ``knots`` evenly spaced probabilities (never the raw values); integers with few values:
their exact frequencies; categories: frequencies in a given order; dates: their quantile function.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from llmsynth.fitting.families import best_family
from llmsynth.fitting.options import FitOptions, Kind

MAX_DISCRETE_VALUES = 20  # integer columns with at most this many values keep their exact frequencies
MAX_DECIMALS = 6
Entry = dict[str, Any]


def decimals(x: np.ndarray) -> int:
    """Fewest decimals that represent every value (capped): what the synthetic values are rounded to."""
    for digits in range(MAX_DECIMALS + 1):
        if np.allclose(x, np.round(x, digits), rtol=0, atol=10.0 ** -(digits + 3)):
            return digits
    return MAX_DECIMALS


def numeric_marginal(
    x: np.ndarray, kind: Kind, options: FitOptions, rng: np.random.Generator, *, floats: bool = False
) -> tuple[Entry, str]:
    """A continuous or integer column (missing values already removed, at least one value).

    ``floats``: an integer column stored as floats (codes read as 1.0, 2.0), written back as floats.
    """
    if np.all(x == x[0]):
        return constant(float(x[0]), floats), "constant"
    if kind == "integer" and len(np.unique(x)) <= MAX_DISCRETE_VALUES:
        return discrete_table(x, options, floats), f"{len(np.unique(x))} values, exact frequencies"
    digits = 0 if kind == "integer" else decimals(x)
    low, high = float(x.min()), float(x.max())
    if options.marginals != "quantiles" and not (kind == "integer" and floats):
        fit = best_family(x, counts=kind == "integer" and low >= 0, rng=rng)
        if fit is not None and (options.marginals == "family" or fit.p_value >= options.alpha):
            entry = {**fit.entry, "bounds": [low, high]}
            if fit.label == "uniform":
                entry.pop("bounds")
            if entry["kind"] not in ("poisson", "negbinomial"):
                entry["round"] = digits
            return entry, f"{fit.label} (KS p = {fit.p_value:.2g})"
        note = f"no family fits (best: {fit.label}, KS p = {fit.p_value:.2g})" if fit else "too few values for a family"
    else:
        note = "quantiles requested" if options.marginals == "quantiles" else "whole numbers stored as floats"
    return quantile_entry(x, digits, kind, options, floats), f"{note}: quantile function"


def quantile_entry(x: np.ndarray, digits: int, kind: Kind, options: FitOptions, floats: bool = False) -> Entry:
    """A ``quantiles`` entry: the column's quantile function, when no named family fits."""
    knots = max(2, min(options.knots, len(x)))
    values = np.quantile(x, np.linspace(0.0, 1.0, knots))
    values = np.maximum.accumulate(np.round(values, digits + 2))  # rounding must not break the order
    entry: Entry = {"kind": "quantiles", "values": [float(v) for v in values]}
    if kind == "integer" and not floats:
        entry["type"] = "integer"
    else:
        entry["round"] = digits
    return entry


def constant(value: float, floats: bool = False) -> Entry:
    """An entry that always draws ``value`` (a column with one distinct value)."""
    entry: Entry = {"kind": "discrete", "probabilities": {_number(value): 1.0}}
    if floats:
        entry["type"] = "number"
    return entry


def discrete_table(x: np.ndarray, options: FitOptions, floats: bool = False) -> Entry:
    """Exact frequencies (rare values were already merged or dropped by ``prepare``)."""
    values, counts = np.unique(x, return_counts=True)
    shares = counts / counts.sum()
    table = {_number(v): round(float(s), 6) for v, s in zip(values, shares, strict=True)}
    entry: Entry = {"kind": "discrete", "probabilities": table, "normalize": True}
    if floats:
        entry["type"] = "number"
    return entry


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


def category_entry(labels: pd.Series, order: Sequence[str]) -> Entry:
    """Frequencies of text labels (already grouped), in ``order`` (the copula maps low uniforms to the first)."""
    shares = labels.value_counts(normalize=True)
    weights = {str(c): round(float(shares.get(c, 0.0)), 6) for c in order if shares.get(c, 0.0) > 0}
    return {"kind": "categorical", "categories": weights, "normalize": True}


def boolean_entry(values: pd.Series) -> Entry:
    """A ``boolean`` entry with the column's share of true values."""
    return {"kind": "boolean", "p": round(float(values.astype(bool).mean()), 6)}


def date_entry(stamps: pd.Series, options: FitOptions) -> Entry:
    """Quantile function of the timestamps; ``date`` when every value is a whole day."""
    ns = stamps.dropna().to_numpy(dtype="datetime64[ns]")
    whole_days = bool(np.all(ns == ns.astype("datetime64[D]")))
    seconds = ns.astype("datetime64[s]").astype(np.int64).astype(float)
    knots = max(2, min(options.knots, len(seconds)))
    grid = np.quantile(seconds, np.linspace(0.0, 1.0, knots))
    unit = 86_400 if whole_days else 1
    grid = np.maximum.accumulate(np.round(grid / unit) * unit).astype(np.int64)
    as_text = np.datetime_as_string(grid.astype("datetime64[s]"), unit="D" if whole_days else "s")
    return {"kind": "quantiles", "type": "date" if whole_days else "datetime", "values": [str(v) for v in as_text]}
