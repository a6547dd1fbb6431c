from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from llmsynth.errors import SpecError
from llmsynth.scaffold.promises import CategoricalPromise, DistributionPromise

N = 20_000

CASES: list[tuple[str, dict[str, Any]]] = [
    ("normal", {"mean": 3, "sd": 2}),
    ("truncnormal", {"mean": 0, "sd": 1, "low": -0.5, "high": 2}),
    ("uniform", {"low": -1, "high": 4}),
    ("lognormal", {"mu": 1, "sigma": 0.5}),
    ("exponential", {"scale": 2}),
    ("gamma", {"shape": 2.5, "scale": 1.5}),
    ("beta", {"a": 2, "b": 5}),
    ("poisson", {"lam": 4}),
    ("binomial", {"n": 12, "p": 0.3}),
    ("negbinomial", {"n": 3, "p": 0.4}),
    ("scipy", {"dist": "weibull_min", "params": {"c": 1.5}}),
    ("poisson", {"lam": 4, "bounds": [2, 7]}),
    ("lognormal", {"mu": 0, "sigma": 1, "bounds": [None, 3]}),
]


def promised_cdf(promise: DistributionPromise, x: np.ndarray) -> np.ndarray:
    dist = getattr(scipy.stats, promise.dist)(**promise.params)
    if promise.bounds is None:
        return np.asarray(dist.cdf(x))
    low, high = promise.bounds
    base_low = dist.cdf(np.ceil(low) - 1 if promise.discrete else low) if low is not None else 0.0
    base_high = dist.cdf(high) if high is not None else 1.0
    return np.clip((dist.cdf(x) - base_low) / (base_high - base_low), 0, 1)


@pytest.mark.parametrize(("kind", "params"), CASES, ids=[f"{k}-{i}" for i, (k, _) in enumerate(CASES)])
def test_values_follow_the_promised_distribution(
    kind: str, params: dict[str, Any], draw: Any, dkw_bound: Any
) -> None:
    frame, samplers, _ = draw([{"kind": kind, "name": "v", **params}], N, seed=3)
    (promise,) = samplers["v"].promises()
    assert isinstance(promise, DistributionPromise)
    values = frame["v"].to_numpy()
    if promise.discrete:
        assert frame["v"].dtype == np.int64
        grid = np.arange(values.min(), values.max() + 1)
        ecdf = np.searchsorted(np.sort(values), grid, side="right") / N
        assert np.abs(ecdf - promised_cdf(promise, grid)).max() < dkw_bound(N)
    else:
        assert scipy.stats.kstest(values, lambda x: promised_cdf(promise, x)).pvalue > 1e-3
    if promise.bounds is not None:
        low, high = promise.bounds
        assert low is None or values.min() >= low
        assert high is None or values.max() <= high


def test_truncnormal_promises_scipy_truncnorm_and_schema_bounds(draw: Any) -> None:
    frame, _samplers, spec = draw(
        [{"kind": "truncnormal", "name": "age", "mean": 41, "sd": 13, "low": 18, "high": 75, "round": 0}], N
    )
    (schema,) = spec.column_schemas()
    assert (schema.type, schema.minimum, schema.maximum) == ("integer", 18, 75)
    assert frame["age"].dtype == np.int64
    assert frame["age"].between(18, 75).all()
    a, b = (18 - 41) / 13, (75 - 41) / 13
    assert abs(frame["age"].mean() - scipy.stats.truncnorm(a, b, loc=41, scale=13).mean()) < 0.3


def test_round_and_clip_keep_values_inside_the_declared_range(draw: Any) -> None:
    frame, _, spec = draw(
        [{"kind": "normal", "name": "x", "mean": 0, "sd": 5, "clip": [-2.5, 3.25], "round": 0}], 5000
    )
    (schema,) = spec.column_schemas()
    assert (schema.minimum, schema.maximum) == (-2, 3)
    assert frame["x"].between(-2, 3).all()
    assert frame["x"].dtype == np.int64
    assert set(frame["x"]) == {-2, -1, 0, 1, 2, 3}


def test_conditional_parameter_maps_each_row_and_orders_the_dependency(draw: Any) -> None:
    columns = [
        {
            "kind": "lognormal",
            "name": "income",
            "mu": {"by": "country", "map": {"USA": 11, "India": 9}, "default": 10},
            "sigma": 0.1,
        },
        {"kind": "categorical", "name": "country", "categories": ["USA", "India", "Chad"]},
    ]
    frame, _, spec = draw(columns, 9000)
    assert spec.columns[0].dependencies() == {"country"}
    medians = frame.groupby("country")["income"].median()
    assert medians["USA"] == pytest.approx(np.exp(11), rel=0.02)
    assert medians["India"] == pytest.approx(np.exp(9), rel=0.02)
    assert medians["Chad"] == pytest.approx(np.exp(10), rel=0.02)


def test_conditional_parameter_without_default_names_column_field_and_value(draw: Any) -> None:
    columns = [
        {"kind": "categorical", "name": "country", "categories": ["USA", "Peru"]},
        {"kind": "normal", "name": "salary", "mean": {"by": "country", "map": {"USA": 60000}}, "sd": 1},
    ]
    with pytest.raises(
        SpecError, match=r"column 'salary': field 'mean': no value in map for country = 'Peru'"
    ):
        draw(columns, 200)


def test_categorical_frequencies_and_boolean_rate(draw: Any) -> None:
    weights = {"a": 0.5, "b": 0.3, "c": 0.2}
    frame, samplers, _ = draw(
        [
            {"kind": "categorical", "name": "g", "categories": weights},
            {"kind": "boolean", "name": "f", "p": 0.25},
        ],
        N,
    )
    assert samplers["g"].promises() == [CategoricalPromise("g", weights)]
    freq = frame["g"].value_counts(normalize=True)
    for key, p in weights.items():
        assert abs(freq[key] - p) < 4 * np.sqrt(p * (1 - p) / N)
    assert frame["f"].dtype == bool
    assert abs(frame["f"].mean() - 0.25) < 4 * np.sqrt(0.25 * 0.75 / N)


def test_integers_dates_and_ids(draw: Any) -> None:
    columns = [
        {"kind": "integer", "name": "i", "low": 3, "high": 7},
        {"kind": "date", "name": "d", "start": "2024-01-01", "end": "2024-01-10"},
        {"kind": "datetime", "name": "t", "start": "2024-01-01 00:00", "end": "2024-01-01 01:00"},
        {"kind": "id", "name": "seq", "prefix": "C", "width": 4},
        {"kind": "id", "name": "num"},
        {"kind": "id", "name": "u", "style": "uuid"},
    ]
    frame, samplers, spec = draw(columns, 5000)
    assert frame["i"].dtype == np.int64
    assert set(frame["i"]) == {3, 4, 5, 6, 7}
    assert frame["d"].dtype == "datetime64[ns]"
    assert frame["d"].nunique() == 10
    assert (frame["d"] == frame["d"].dt.normalize()).all()
    assert frame["t"].between(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-01 01:00")).all()
    assert frame["seq"].iloc[0] == "C0001"
    assert frame["seq"].is_unique
    assert frame["num"].tolist()[:3] == [1, 2, 3]
    assert frame["num"].dtype == np.int64
    assert frame["u"].is_unique
    assert frame["u"].str.len().eq(36).all()
    assert samplers["seq"].per_chunk  # numbered by the global row position the engine passes as the index
    schemas = {s.name: s for s in spec.column_schemas()}
    assert schemas["seq"].unique
    assert schemas["num"].type == "integer"
    assert schemas["d"].type == "date"


def test_same_seed_same_values_and_different_seed_different_values(draw: Any) -> None:
    columns = [
        {"kind": "gamma", "name": "g", "shape": 2},
        {"kind": "categorical", "name": "c", "categories": ["x", "y"]},
    ]
    first, _, _ = draw(columns, 500, seed=1)
    again, _, _ = draw(columns, 500, seed=1)
    other, _, _ = draw(columns, 500, seed=2)
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["g"], other["g"])


def test_bounds_without_probability_mass_is_a_clear_error(draw: Any) -> None:
    with pytest.raises(SpecError, match=r"column 'x': field 'bounds'"):
        draw([{"kind": "beta", "name": "x", "a": 2, "b": 2, "bounds": [2, 3]}], 10)


def test_a_heavy_zipf_column_draws_its_frequencies_and_its_tail(draw: Any) -> None:
    """scipy's own zipf hung in the table build; the column now comes from laws.py's closed-form tails."""
    frame, _, _ = draw([{"kind": "scipy", "name": "x", "dist": "zipf", "params": {"a": 2.0}}], N)
    values = frame["x"].to_numpy()
    assert values.dtype == np.int64
    counts = np.bincount(np.minimum(values, 21), minlength=22)[1:]
    k = np.arange(1, 21)
    expected = np.append(k**-2.0 * 6 / np.pi**2, 1 - (k**-2.0 * 6 / np.pi**2).sum()) * N
    assert scipy.stats.chisquare(counts, expected).pvalue > 1e-3


def test_an_integer_draw_beyond_int64_is_an_error_naming_the_column(draw: Any) -> None:
    from llmsynth.scaffold.numeric import finish

    _, _, spec = draw([{"kind": "scipy", "name": "x", "dist": "zipf", "params": {"a": 1.5}}], 10)
    with pytest.raises(SpecError, match=r"column 'x': a draw reached 1e\+19, beyond the 64-bit integers"):
        finish(spec.columns[0], np.array([1.0, 1e19]))


def test_scipys_failing_quantile_search_with_per_row_parameters_is_an_error_naming_the_column(draw: Any) -> None:
    """Over 256 distinct laws scipy evaluates row by row, and its generic search raises for logser near
    p = 1 ("updating stopped", scipy 1.17): a SpecError naming the column and field, not a traceback. A
    scipy whose search works draws the law instead."""
    categories = [f"c{i}" for i in range(300)]
    rates = {c: 0.999 - i * 1e-7 for i, c in enumerate(categories)}
    columns = [{"name": "g", "kind": "categorical", "categories": categories},
               {"name": "x", "kind": "scipy", "dist": "logser", "params": {"p": {"by": "g", "map": rates}}}]
    law = scipy.stats.logser(0.999)
    try:
        law.isf(0.2137468896702327)  # raises in scipy 1.17 ("updating stopped")
    except RuntimeError:
        with pytest.raises(SpecError, match=r"column 'x': field 'params': scipy.stats.logser could not invert"):
            draw(columns, 2000)
        return
    frame, _, _ = draw(columns, 2000)
    assert abs(frame["x"].mean() - law.mean()) < 6 * law.std() / np.sqrt(2000)
