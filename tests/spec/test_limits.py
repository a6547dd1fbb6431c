"""Number ranges checked at load: values just inside the limits sample without a single overflow
warning (pytest turns warnings into errors); values outside are refused naming the column and field."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from llmsynth import api
from llmsynth.errors import SpecError
from llmsynth.spec import spec_from_dict

INSIDE = [
    {"name": "x", "kind": "lognormal", "mu": 680, "sigma": 1},
    {"name": "x", "kind": "normal", "mean": 8.0e15, "sd": 1.0e13, "round": 0},
    {"name": "x", "kind": "normal", "mean": 1.0e290, "sd": 1.0e288},
    {"name": "x", "kind": "poisson", "lam": 1.0e6},
    {"name": "x", "kind": "binomial", "n": 1.0e9, "p": 0.5},
    {"name": "x", "kind": "negbinomial", "n": 2, "p": 1.0e-5},
    {"name": "x", "kind": "exponential", "scale": 1.0e298},
    {"name": "x", "kind": "integer", "low": -(2**53), "high": 2**53},
    {"name": "x", "kind": "normal", "mean": 0, "sd": 1, "round": 15},
    {"name": "x", "kind": "scipy", "dist": "weibull_min", "params": {"c": 1.5, "scale": 1.0e290}},
    {"name": "x", "kind": "date", "start": "1700-01-01", "end": "2200-12-31"},
]


@pytest.mark.parametrize("column", INSIDE, ids=[f"{c['kind']}-{i}" for i, c in enumerate(INSIDE)])
def test_values_inside_the_limits_sample_cleanly(column: dict[str, Any]) -> None:
    spec = spec_from_dict({"rows": 2000, "seed": 1, "columns": [column]})
    data = api.generate(spec)
    assert len(data) == 2000
    values = data["x"]
    if values.dtype.kind in "iuf":
        assert np.isfinite(values.to_numpy(dtype=float)).all()


@pytest.mark.parametrize(
    ("column", "message"),
    [
        ({"kind": "lognormal", "mu": 690, "sigma": 1}, "field 'mu': values reach exp(mu + 8 sigma) = e^698"),
        ({"kind": "normal", "mean": 1.0e16, "round": 0}, "field 'mean': integer values would reach 1e+16"),
        ({"kind": "normal", "sd": 2.0e299}, "field 'mean': values would reach 1.6e+300"),
        ({"kind": "normal", "mean": 1.0e290, "round": 15}, "field 'round': rounding values near 1e+290"),
        ({"kind": "normal", "round": 16}, "field 'round': 16 decimals"),
        ({"kind": "poisson", "lam": 2.0e9}, "field 'lam': 2e+09 is beyond 1e+09"),
        ({"kind": "negbinomial", "n": 1.0e6, "p": 0.5}, None),
        ({"kind": "negbinomial", "n": 1.0e11, "p": 0.5}, "field 'n': mean n(1-p)/p = 1e+11"),
        ({"kind": "uniform", "low": 0, "high": {"by": "g", "map": {"a": 1, "b": 1.0e301}}}, "field 'high.map.b'"),
        ({"kind": "normal", "clip": [0, float("inf")]}, "field 'clip[1]': inf is not finite (write null"),
        ({"kind": "scipy", "dist": "logser", "params": {"p": 0.999999}},
         "field 'params': scipy.stats.logser with params {'p': 0.999999} takes over 1 s"),
        # zipf's tails are in closed form (llmsynth/laws.py): a heavy tail is fine while it fits the integers
        ({"kind": "scipy", "dist": "zipf", "params": {"a": 1.5}}, None),
        ({"kind": "scipy", "dist": "zipf", "params": {"a": 1.05}}, "field 'params': integer values would reach"),
    ],
    ids=["lognormal", "integer-output", "float-reach", "round-reach", "round", "poisson", "negbinomial-ok",
         "negbinomial-mean", "by-column", "infinite-clip", "scipy-slow", "zipf-heavy", "zipf-too-heavy"],
)
def test_outside_the_limits_is_refused_naming_the_field(column: dict[str, Any], message: str | None) -> None:
    columns = [{"name": "g", "kind": "categorical", "categories": ["a", "b"]}, {"name": "x", **column}]
    if message is None:
        spec_from_dict({"columns": columns})
        return
    with pytest.raises(SpecError) as info:
        spec_from_dict({"columns": columns})
    assert f"column 'x': {message}" in str(info.value)


def test_copula_marginals_are_checked_by_their_path() -> None:
    spec = {"columns": [{"kind": "copula", "corr": [[1, 0.5], [0.5, 1]], "columns": {
        "a": {"kind": "normal"}, "b": {"kind": "lognormal", "mu": 1000}}}]}
    with pytest.raises(SpecError, match=r"column 'a, b': field 'columns\.b\.mu'"):
        spec_from_dict(spec)


def test_dataset_sizes_are_bounded() -> None:
    with pytest.raises(SpecError, match="field 'rows': 2,000,000,000 rows is more than the limit"):
        spec_from_dict({"rows": 2_000_000_000, "columns": [{"name": "x", "kind": "normal"}]})
    with pytest.raises(SpecError, match=r"field 'model\.batch_size': must be at least 1"):
        spec_from_dict({"model": {"batch_size": 0}, "columns": [{"name": "x", "kind": "normal"}]})


def test_integer_powers_that_wrap_around_are_refused() -> None:
    with pytest.raises(SpecError, match=r"column 'y': field 'expr': 2\*\*1000000 overflows 64-bit integers"):
        spec_from_dict({"columns": [{"name": "x", "kind": "normal"},
                                    {"name": "y", "kind": "expression", "expr": "x + 2**1000000"}]})
    spec = spec_from_dict({"columns": [{"name": "x", "kind": "normal"},
                                       {"name": "y", "kind": "expression", "expr": "x + 2**62 + 2.0**100"}]})
    assert spec.column_names == ["x", "y"]
