from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from llmsynth.errors import SpecError


def fitted_arma(values: np.ndarray, p: int, q: int) -> tuple[np.ndarray, np.ndarray]:
    """Estimated (ar + ma) coefficients and their standard errors."""
    from statsmodels.tsa.arima.model import ARIMA

    result = ARIMA(values, order=(p, 0, q)).fit()
    return np.r_[result.arparams, result.maparams], np.asarray(result.bse[1 : 1 + p + q])


def test_fitted_coefficients_match_the_declared_ones(draw: Any) -> None:
    column = {"kind": "arma", "name": "y", "ar": [0.6, -0.2], "ma": [0.3], "mean": 5, "sd": 2, "length": 4000}
    frame, samplers, _ = draw([column], 4000)
    assert samplers["y"].fixed_rows() == 4000
    assert not samplers["y"].per_chunk
    estimate, se = fitted_arma(frame["y"].to_numpy(), 2, 1)
    assert (se < 0.05).all()
    assert (np.abs(estimate - [0.6, -0.2, 0.3]) < 4 * se).all()  # within 4 standard errors
    assert frame["y"].mean() == pytest.approx(5, abs=0.3)
    (promise,) = samplers["y"].promises()
    assert (promise.ar, promise.ma, promise.mean, promise.sd) == ((0.6, -0.2), (0.3,), 5.0, 2.0)


def test_several_series_with_trend_season_and_timestamps(draw: Any) -> None:
    column = {
        "kind": "arma",
        "name": "sales",
        "ar": [0.5],
        "series": 3,
        "length": 400,
        "series_column": "store",
        "time_column": "day",
        "start": "2024-03-01",
        "freq": "D",
        "trend": 0.05,
        "seasonality": {"period": 7, "amplitude": 3},
    }
    frame, _samplers, spec = draw([column], 1200)
    assert list(frame.columns) == ["store", "day", "sales"]
    assert frame["store"].value_counts().to_dict() == {0: 400, 1: 400, 2: 400}
    first = frame[frame["store"] == 0]
    assert (
        first["day"].iloc[0] == pd.Timestamp("2024-03-01")
    )
    assert (
        first["day"].diff().iloc[1:].eq(pd.Timedelta("1D")).all()
    )
    # remove the declared trend and season, then the residual is AR(1) with phi 0.5
    t = np.arange(400)
    residual = [
        g["sales"].to_numpy() - 0.05 * t - 3 * np.sin(2 * np.pi * t / 7) for _, g in frame.groupby("store")
    ]
    lag1 = np.mean([np.corrcoef(r[1:], r[:-1])[0, 1] for r in residual])
    assert lag1 == pytest.approx(0.5, abs=0.07)
    assert not np.allclose(residual[0], residual[1])  # independent series
    assert {s.name: s.type for s in spec.column_schemas()} == {
        "store": "integer",
        "day": "datetime",
        "sales": "number",
    }


def test_nonstationary_ar_needs_explicit_permission(draw: Any) -> None:
    with pytest.raises(SpecError, match=r"column 'y': .*not stationary.*allow_nonstationary: true"):
        draw([{"kind": "arma", "name": "y", "ar": [1.1]}], 50)
    frame, _, _ = draw([{"kind": "arma", "name": "y", "ar": [1.0], "allow_nonstationary": True}], 50)
    assert len(frame) == 50
    assert np.isfinite(frame["y"]).all()
