"""Checks of promises that span rows or columns: correlations, fixed sums, ARMA coefficients,
linear relations and random-graph edge tables.

Tolerances scale with the sample size where a standard error is known, so a check neither fails
small tables for noise nor waves through large ones.
"""

from __future__ import annotations

import math
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from llmsynth.scaffold.promises import (
    ArmaPromise,
    CorrelationPromise,
    GraphPromise,
    LinearPromise,
    SumPromise,
)


def _numeric(data: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return data[columns].apply(pd.to_numeric, errors="coerce").astype(float)


def check_correlation(promise: CorrelationPromise, data: pd.DataFrame) -> dict[str, Any]:
    """Achieved correlations against the requested matrix, within a sampling tolerance."""
    columns = list(promise.columns)
    frame = _numeric(data, columns).dropna()
    declared = np.array(promise.matrix, dtype=float)
    if declared.shape != (len(columns), len(columns)):
        raise ValueError(f"declared matrix has shape {declared.shape} for {len(columns)} columns")
    observed = frame.corr(method=promise.method).to_numpy()
    off_diagonal = ~np.eye(len(columns), dtype=bool)
    error = float(np.nanmax(np.abs(observed - declared)[off_diagonal])) if len(columns) > 1 else 0.0
    tolerance = max(0.05, 3 / math.sqrt(max(len(frame), 1)))
    return {
        "method": promise.method,
        "n": len(frame),
        "max_abs_error": error,
        "tolerance": tolerance,
        "observed": observed.round(4).tolist(),
        "passed": error <= tolerance,
    }


def check_sum(promise: SumPromise, data: pd.DataFrame) -> dict[str, Any]:
    """Rows whose parts add up to the total. Parts rounded to ``decimals`` are compared in whole units of
    the last decimal (exactly); unrounded floats within 1e-9 of the total (float sums differ in the last bits)."""
    frame = _numeric(data, list(promise.columns))
    if promise.total_column is not None:
        total = pd.to_numeric(data[promise.total_column], errors="coerce").to_numpy(dtype=float)
    elif promise.total is not None:
        total = np.full(len(data), float(promise.total))
    else:
        raise ValueError("a sum promise needs a total or a total column")
    parts = frame.sum(axis=1, min_count=len(promise.columns)).to_numpy()
    deviation = np.abs(parts - total)
    deviation = np.where(np.isnan(deviation), np.inf, deviation)
    result: dict[str, Any] = {"n": len(data)}
    if promise.decimals is not None:
        scale = 10.0**promise.decimals
        units = frame.to_numpy() * scale
        whole = np.round(units)
        on_grid = (np.abs(units - whole) <= 1e-6).all(axis=1)  # each part has at most `decimals` decimals
        exact = on_grid & (whole.sum(axis=1) == np.round(total * scale))
        result["off_grid_rows"] = int((~on_grid).sum())
    else:
        exact = deviation <= 1e-9 * np.maximum(1.0, np.abs(np.nan_to_num(total)))
    result.update(
        exact_share=float(exact.mean()) if len(data) else None,
        max_abs_deviation=float(deviation.max()) if len(data) else None,
        passed=bool(exact.all()),
    )
    return result


def check_arma(promise: ArmaPromise, data: pd.DataFrame) -> dict[str, Any]:
    """Fitted ARMA coefficients against the declared ones, per series."""
    from statsmodels.tsa.arima.model import ARIMA

    p, q = len(promise.ar), len(promise.ma)
    if promise.group_column:
        series = [g[promise.column] for _, g in data.groupby(promise.group_column, sort=False)]
    else:
        series = [data[promise.column]]
    fits: list[np.ndarray] = []
    errors_se: list[float] = []
    sds: list[float] = []
    weights: list[int] = []
    for values in series:
        y = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        y = y - _arma_deterministic(promise, y.size)
        y = y[np.isfinite(y)]
        if y.size < 10 * (p + q + 1):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter on short series; the error bound judges the fit
            result = ARIMA(y, order=(p, 0, q), trend="n").fit()
        params = dict(zip(result.model.param_names, np.asarray(result.params), strict=True))
        bse = dict(zip(result.model.param_names, np.asarray(result.bse), strict=True))
        names = [f"ar.L{i + 1}" for i in range(p)] + [f"ma.L{i + 1}" for i in range(q)]
        fits.append(np.array([params[n] for n in names]))
        errors_se.append(max((float(bse[n]) for n in names), default=0.0))
        sds.append(float(np.sqrt(params["sigma2"])))
        weights.append(y.size)
    if not fits:
        raise ValueError(f"series too short to fit ARMA({p},{q})")
    fitted = np.average(np.vstack(fits), axis=0, weights=weights)
    declared = np.array([*promise.ar, *promise.ma], dtype=float)
    error = float(np.max(np.abs(fitted - declared))) if declared.size else 0.0
    se = float(np.nanmax(errors_se)) / math.sqrt(len(fits))
    tolerance = max(0.1, 3 * se) if math.isfinite(se) else 0.1
    return {
        "order": [p, q],
        "series": len(fits),
        "fitted_ar": fitted[:p].tolist(),
        "fitted_ma": fitted[p:].tolist(),
        "fitted_sd": float(np.average(sds, weights=weights)),
        "max_abs_error": error,
        "tolerance": tolerance,
        "passed": error <= tolerance,
    }


def _arma_deterministic(promise: ArmaPromise, length: int) -> np.ndarray:
    """The mean, trend and seasonality the sampler added on top of the ARMA noise (t restarts per series)."""
    t = np.arange(length, dtype=float)
    values = promise.mean + promise.trend * t
    if promise.season_period:
        values = values + promise.season_amplitude * np.sin(2 * np.pi * t / promise.season_period)
    return values


def check_linear(promise: LinearPromise, data: pd.DataFrame) -> dict[str, Any]:
    """Least-squares fit of the computed column against its declared linear form."""
    predictors = list(promise.coefficients)
    frame = _numeric(data, [promise.column, *predictors]).dropna()
    n, k = len(frame), len(predictors)
    if n <= k + 2:
        raise ValueError(f"{n} rows are too few to fit {k} coefficients")
    design = np.column_stack([np.ones(n), frame[predictors].to_numpy()])
    y = frame[promise.column].to_numpy()
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ coef
    dof = n - k - 1
    sd = float(np.sqrt(residual @ residual / dof))
    se = np.sqrt(np.maximum(np.diag(np.linalg.pinv(design.T @ design)) * sd**2, 0.0))
    declared = np.array([promise.intercept, *promise.coefficients.values()], dtype=float)
    error = np.abs(coef - declared)
    coef_ok = bool(np.all(error <= np.maximum(4 * se, 1e-6 * np.maximum(1.0, np.abs(declared)))))
    sd_tolerance = max(0.1 * promise.noise_sd, 4 * promise.noise_sd / math.sqrt(2 * dof), 1e-6)
    sd_error = abs(sd - promise.noise_sd)
    return {
        "n": n,
        "fitted_intercept": float(coef[0]),
        "fitted_coefficients": dict(zip(predictors, coef[1:].tolist(), strict=True)),
        "fitted_noise_sd": sd,
        "max_abs_error": float(error.max()),
        "noise_sd_error": sd_error,
        "passed": coef_ok and sd_error <= sd_tolerance,
    }


def _graph_model(name: str) -> str:
    key = re.sub(r"[^a-z]", "", name.lower())
    aliases = {
        "erdosrenyi": "er",
        "gnp": "er",
        "er": "er",
        "binomial": "er",
        "gnm": "gnm",
        "barabasialbert": "ba",
        "ba": "ba",
        "preferentialattachment": "ba",
        "wattsstrogatz": "ws",
        "ws": "ws",
        "smallworld": "ws",
    }
    return aliases.get(key, key)


def check_graph(promise: GraphPromise, data: pd.DataFrame) -> dict[str, Any]:
    """Edge count and degree shape of the drawn graph against its random-graph model."""
    edges = data[[promise.source, promise.target]].dropna()
    params = promise.params
    nodes_seen = pd.concat([edges[promise.source], edges[promise.target]])
    n = int(params.get("n", params.get("nodes", params.get("num_nodes", nodes_seen.nunique()))))
    counts = nodes_seen.value_counts().to_numpy()
    degrees = np.concatenate([counts, np.zeros(max(n - counts.size, 0))])
    e = len(edges)
    mean_degree = 2 * e / n if n else 0.0
    max_degree = int(degrees.max()) if degrees.size else 0
    # how many nodes of degree >= max_degree a Poisson (Erdős–Rényi-like) graph of the same mean would have
    poisson_tail = float(n * stats.poisson.sf(max_degree - 1, mean_degree)) if mean_degree > 0 else 1.0
    out: dict[str, Any] = {
        "model": promise.model,
        "nodes": n,
        "edges": e,
        "mean_degree": mean_degree,
        "max_degree": max_degree,
        "poisson_tail_expected": poisson_tail,
        "heavy_tail": poisson_tail < 0.01,
    }
    model = _graph_model(promise.model)
    pairs = n * (n - 1) / 2
    if model == "er" and "p" in params:
        p = float(params["p"])
        expected, sd = pairs * p, math.sqrt(pairs * p * (1 - p))
        z = (e - expected) / sd if sd > 0 else (0.0 if e == expected else math.inf)
        out.update(expected_edges=expected, expected_mean_degree=(n - 1) * p, edge_z=z, passed=abs(z) <= 4)
    elif model in ("er", "gnm") and "m" in params:
        out.update(expected_edges=float(params["m"]), passed=e == int(params["m"]))
    elif model == "ba" and "m" in params:
        m = int(params["m"])
        expected = float(m * (n - m))
        out.update(
            expected_edges=expected,
            expected_mean_degree=2 * expected / n,
            passed=abs(e - expected) <= 0.01 * expected and bool(out["heavy_tail"]),
        )
    elif model == "ws" and "k" in params:
        expected = float(n * (int(params["k"]) // 2))
        out.update(expected_edges=expected, expected_mean_degree=2 * expected / n, passed=e == expected)
    else:
        out.update(passed=None, note=f"no edge-count model for '{promise.model}' with {sorted(params)}")
    return out
