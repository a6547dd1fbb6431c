"""Each promise type's check: passes on data drawn as promised, fails on data that breaks it."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.arima_process import ArmaProcess

from llmsynth.evals.promise_checks import grid_ks, pooled_chisquare
from llmsynth.evals.spec_fidelity import check_promise, collect_promises, spec_fidelity_scores
from llmsynth.scaffold.promises import (
    ArmaPromise,
    CategoricalPromise,
    CorrelationPromise,
    DistributionPromise,
    GraphPromise,
    LinearPromise,
    SumPromise,
    TabulatedPromise,
)
from llmsynth.spec import spec_from_dict


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


def test_normal_passes_and_shifted_normal_fails(rng: np.random.Generator) -> None:
    promise = DistributionPromise("x", "norm", {"loc": 10.0, "scale": 2.0})
    _, good = check_promise(promise, pd.DataFrame({"x": rng.normal(10, 2, 2000)}))
    _, bad = check_promise(promise, pd.DataFrame({"x": rng.normal(11, 2, 2000)}))
    assert good["passed"]
    assert good["p_value"] > 0.001
    assert not bad["passed"]
    assert bad["ks_statistic"] == pytest.approx(0.19, abs=0.04)  # Phi(0.25) - Phi(-0.25)


def test_rounded_values_use_the_grid_ks(rng: np.random.Generator) -> None:
    values = np.round(rng.normal(40, 12, 3000))
    promise = DistributionPromise("age", "norm", {"loc": 40.0, "scale": 12.0}, rounded=True)
    _, result = check_promise(promise, pd.DataFrame({"age": values}))
    assert result["test"] == "ks_grid"
    assert result["passed"]
    # the plain KS test would be fooled by the steps: the grid version is far smaller
    from scipy import stats

    plain = stats.kstest(values, stats.norm(40, 12).cdf).statistic
    assert result["ks_statistic"] < plain / 2


def test_grid_ks_hand_computed() -> None:
    # values 0,0,1,1 -> midpoint 0.5, empirical CDF there 0.5; uniform(0,1) CDF at 0.5 = 0.5
    assert grid_ks(np.array([0.0, 0.0, 1.0, 1.0]), lambda x: np.clip(x, 0, 1)) == pytest.approx(0.0)
    # three zeros, one one -> 0.75 vs 0.5
    assert grid_ks(np.array([0.0, 0.0, 0.0, 1.0]), lambda x: np.clip(x, 0, 1)) == pytest.approx(0.25)


def test_discrete_distribution_uses_pmf(rng: np.random.Generator) -> None:
    promise = DistributionPromise("visits", "poisson", {"mu": 3.0}, discrete=True)
    _, good = check_promise(promise, pd.DataFrame({"visits": rng.poisson(3.0, 3000)}))
    _, bad = check_promise(promise, pd.DataFrame({"visits": rng.poisson(4.0, 3000)}))
    assert good["test"] == "chi2_pmf"
    assert good["passed"]
    assert good["tvd"] < 0.03
    assert not bad["passed"]
    assert bad["tvd"] > 0.1


def test_pooled_chisquare_merges_small_cells() -> None:
    # expected 2,2,2,10 -> pooled (6, 10); observed (3+3+0, 10)
    chi2, p = pooled_chisquare(np.array([3.0, 3.0, 0.0, 10.0]), np.array([2.0, 2.0, 2.0, 10.0]))
    assert chi2 == pytest.approx(0.0)
    assert p == pytest.approx(1.0)


def test_categorical_tvd_hand_computed() -> None:
    data = pd.DataFrame({"c": ["a"] * 6 + ["b"] * 4})
    _, result = check_promise(CategoricalPromise("c", {"a": 0.5, "b": 0.5}), data)
    assert result["tvd"] == pytest.approx(0.1)
    assert result["unexpected_share"] == 0
    _, other = check_promise(CategoricalPromise("c", {"a": 1.0}), data)
    assert other["unexpected_share"] == pytest.approx(0.4)
    assert not other["passed"]


def test_correlation_promise(rng: np.random.Generator) -> None:
    cov = [[1.0, 0.6], [0.6, 1.0]]
    values = rng.multivariate_normal([0, 0], cov, 3000)
    promise = CorrelationPromise(("a", "b"), ((1.0, 0.6), (0.6, 1.0)))
    _, good = check_promise(promise, pd.DataFrame(values, columns=["a", "b"]))
    broken = pd.DataFrame({"a": values[:, 0], "b": rng.permutation(values[:, 1])})
    _, bad = check_promise(promise, broken)
    assert good["passed"]
    assert good["max_abs_error"] < 0.05
    assert not bad["passed"]
    assert bad["max_abs_error"] > 0.5


def test_sum_promise_exact_share() -> None:
    data = pd.DataFrame({"a": [1, 2, 3, 4], "b": [9, 8, 7, 5.5]})
    key, result = check_promise(SumPromise(("a", "b"), total=10), data)
    assert key == "sum:a,b"
    assert result["exact_share"] == pytest.approx(0.75)
    assert result["max_abs_deviation"] == pytest.approx(0.5)
    assert not result["passed"]
    data_total = pd.DataFrame({"a": [0.1, 0.7], "b": [0.2, 0.3], "t": [0.3, 1.0]})
    assert check_promise(SumPromise(("a", "b"), total_column="t"), data_total)[1]["passed"]


def test_arma_coefficients_recovered(rng: np.random.Generator) -> None:
    process = ArmaProcess([1, -0.5], [1, 0.3])
    values = np.concatenate([process.generate_sample(600, distrvs=rng.standard_normal) for _ in range(2)])
    t = np.tile(np.arange(600), 2)
    data = pd.DataFrame({"y": 5 + 0.01 * t + values, "g": np.repeat([0, 1], 600)})
    promise = ArmaPromise("y", (0.5,), (0.3,), group_column="g", mean=5.0, trend=0.01)
    _, result = check_promise(promise, data)
    assert result["passed"], result
    assert result["fitted_ar"][0] == pytest.approx(0.5, abs=0.1)
    assert result["fitted_sd"] == pytest.approx(1.0, abs=0.1)
    _, wrong = check_promise(ArmaPromise("y", (-0.5,), (0.3,), group_column="g", mean=5.0, trend=0.01), data)
    assert not wrong["passed"]
    assert wrong["max_abs_error"] > 0.5


def test_linear_promise(rng: np.random.Generator) -> None:
    x = rng.normal(170, 10, 1500)
    data = pd.DataFrame({"height": x, "weight": 2.5 * x + 50 + rng.normal(0, 5, x.size)})
    _, good = check_promise(LinearPromise("weight", {"height": 2.5}, 50.0, 5.0), data)
    _, bad = check_promise(LinearPromise("weight", {"height": 2.0}, 50.0, 5.0), data)
    assert good["passed"]
    assert good["fitted_noise_sd"] == pytest.approx(5.0, rel=0.1)
    assert not bad["passed"]


@pytest.mark.parametrize(
    ("model", "graph", "params"),
    [
        ("erdos_renyi", nx.gnp_random_graph(300, 0.05, seed=1), {"nodes": 300, "p": 0.05}),
        ("barabasi_albert", nx.barabasi_albert_graph(500, 2, seed=1), {"nodes": 500, "m": 2}),
        ("watts_strogatz", nx.watts_strogatz_graph(200, 4, 0.1, seed=1), {"nodes": 200, "k": 4}),
    ],
    ids=["er", "ba", "ws"],
)
def test_graph_promises(model: str, graph: nx.Graph, params: dict) -> None:
    edges = pd.DataFrame(list(graph.edges()), columns=["src", "dst"])
    _, result = check_promise(GraphPromise("src", "dst", model, params), edges)
    assert result["passed"], result
    assert result["mean_degree"] == pytest.approx(2 * graph.number_of_edges() / params["nodes"])
    assert result["heavy_tail"] == (model == "barabasi_albert")


def test_er_graph_with_wrong_density_fails() -> None:
    graph = nx.gnp_random_graph(300, 0.08, seed=2)
    edges = pd.DataFrame(list(graph.edges()), columns=["src", "dst"])
    _, result = check_promise(GraphPromise("src", "dst", "erdos_renyi", {"nodes": 300, "p": 0.05}), edges)
    assert not result["passed"]
    assert result["edge_z"] > 4


def test_tabulated_promise(rng: np.random.Generator) -> None:
    xs = tuple(np.linspace(0, 1, 101))
    cdf = tuple(np.asarray(xs) ** 2)  # density 2x on [0, 1]
    promise = TabulatedPromise("x", xs, cdf)
    _, good = check_promise(promise, pd.DataFrame({"x": np.sqrt(rng.uniform(size=2000))}))
    _, bad = check_promise(promise, pd.DataFrame({"x": rng.uniform(size=2000)}))
    assert good["passed"]
    assert not bad["passed"]


def test_missing_column_and_unknown_promise_type() -> None:
    data = pd.DataFrame({"x": [1.0, 2.0]})
    _, missing = check_promise(DistributionPromise("nope", "norm", {}), data)
    assert missing["passed"] is False
    assert "nope" in missing["error"]
    scores = spec_fidelity_scores(data, [object()], {})  # type: ignore[list-item]
    assert scores["unchecked"] == 1
    assert scores["score"] is None


def test_score_is_share_of_checks_passed(rng: np.random.Generator) -> None:
    data = pd.DataFrame({"x": rng.normal(size=500), "c": ["a"] * 500})
    promises = [
        DistributionPromise("x", "norm", {"loc": 0, "scale": 1}),
        CategoricalPromise("c", {"a": 0.5, "b": 0.5}),
    ]
    scores = spec_fidelity_scores(data, promises, {})
    assert scores["score"] == pytest.approx(0.5)
    assert scores["passed"] == 1
    assert scores["failed"] == 1
    assert set(scores["checks"]) == {"distribution:x", "categorical:c"}


def test_collect_promises_skips_llm_groups() -> None:
    spec = spec_from_dict(
        {
            "columns": [
                {"name": "x", "kind": "normal", "mean": 1, "sd": 2},
                {"name": "c", "kind": "categorical", "categories": {"a": 0.75, "b": 0.25}},
                {"kind": "llm", "prompt": "{{ c }}", "fields": {"note": {"type": "string"}}},
            ]
        }
    )
    promises, problems = collect_promises(spec)
    assert problems == {}
    kinds = {type(p).__name__: p for p in promises}
    assert kinds["CategoricalPromise"].weights == pytest.approx({"a": 0.75, "b": 0.25})
    assert kinds["DistributionPromise"].params == {"loc": 1.0, "scale": 2.0}


def test_bounded_promises_are_checked_against_the_truncated_law(rng: np.random.Generator) -> None:
    from scipy import stats

    from llmsynth.evals.laws import frozen_distribution

    promise = DistributionPromise("age", "norm", {"loc": 41.0, "scale": 13.0}, bounds=(18.0, 75.0))
    law = frozen_distribution(promise)
    assert law.cdf(18.0) == 0.0
    assert law.cdf(75.0) == 1.0
    assert law.pdf(np.array([17.9, 40.0, 75.1])).tolist()[::2] == [0.0, 0.0]
    values = stats.truncnorm((18 - 41) / 13, (75 - 41) / 13, loc=41, scale=13).rvs(400_000, random_state=rng)
    _, result = check_promise(promise, pd.DataFrame({"age": values}))
    assert result["passed"]
    assert result["ks_statistic"] < 0.003
    untruncated = DistributionPromise("age", "norm", {"loc": 41.0, "scale": 13.0})
    assert not check_promise(untruncated, pd.DataFrame({"age": values}))[1]["passed"]
    counts = DistributionPromise("visits", "poisson", {"mu": 3.0}, discrete=True, bounds=(1.0, 12.0))
    visits = stats.poisson(3).rvs(200_000, random_state=rng)
    visits = visits[(visits >= 1) & (visits <= 12)]
    assert frozen_distribution(counts).pmf(np.arange(0, 14)).sum() == pytest.approx(1.0)
    assert check_promise(counts, pd.DataFrame({"visits": visits}))[1]["passed"]


def test_generated_bounded_columns_score_one_at_scale() -> None:
    import llmsynth

    spec = spec_from_dict(
        {
            "rows": 400_000,
            "columns": [
                {"name": "age", "kind": "truncnormal", "mean": 41, "sd": 13, "low": 18, "high": 75},
                {"name": "visits", "kind": "poisson", "lam": 3, "bounds": [1, 12]},
                {"name": "spend", "kind": "lognormal", "mu": 7, "sigma": 0.5, "bounds": [500, None]},
            ],
        }
    )
    promises, problems = collect_promises(spec)
    scores = spec_fidelity_scores(llmsynth.generate(spec), promises, problems)
    assert scores["score"] == 1.0, scores["checks"]
