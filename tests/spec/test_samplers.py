"""Bad sampler parameters are refused at load time with the column and the field in the message."""

from __future__ import annotations

from typing import Any

import pytest

from llmsynth.errors import SpecError
from llmsynth.spec import spec_from_dict

CAT = {"kind": "categorical", "name": "country", "categories": ["USA", "India"]}

BAD: list[tuple[dict[str, Any], str]] = [
    (
        {"kind": "normal", "name": "h", "sd": -2},
        "column 'h': field 'sd': Input should be greater than 0, got -2",
    ),
    (
        {"kind": "exponential", "name": "w", "scale": 0},
        "column 'w': field 'scale': Input should be greater than 0",
    ),
    (
        {"kind": "normal", "name": "h", "sd": {"by": "country", "map": {"USA": -1}}},
        "column 'h': field 'sd': Input should be greater than 0, got -1",
    ),
    (
        {"kind": "binomial", "name": "b", "n": 10, "p": 1.5},
        "column 'b': field 'p': Input should be a probability",
    ),
    (
        {"kind": "categorical", "name": "c", "categories": {"a": 0.5, "b": 0.4}},
        "column 'c': field 'categories': probabilities sum to 0.9, not 1",
    ),
    (
        {"kind": "mvnormal", "columns": ["a", "b"], "corr": [[1, 0.5]]},
        "column 'a, b': field 'corr': must be 2x2",
    ),
    (
        {"kind": "mvnormal", "columns": ["a", "b"], "cov": [[1, 2], [2, 1]]},
        "column 'a, b': field 'cov': is not positive semi-definite",
    ),
    (
        {
            "kind": "copula",
            "columns": {"a": {"kind": "gamma", "shape": -1}, "b": {"kind": "beta", "a": 1, "b": 1}},
            "corr": [[1, 0], [0, 1]],
        },
        "column 'a, b': field 'columns.a.gamma.shape': Input should be greater than 0",
    ),
    (
        {"kind": "expression", "name": "e", "expr": "2 * heigth"},
        "column 'e': uses 'heigth', which is not a column",
    ),
    ({"kind": "expression", "name": "e", "expr": "__import__('os')"}, "column 'e': field 'expr'"),
    (
        {"kind": "arma", "name": "y", "ar": [0.5, 0.6]},
        "column 'y': field 'ar': AR part [0.5, 0.6] is not stationary",
    ),
    (
        {"kind": "scipy", "name": "s", "dist": "not_a_dist"},
        "column 's': field 'dist': dist 'not_a_dist' is not",
    ),
    ({"kind": "scipy", "name": "s", "dist": "gamma", "params": {"shape": 2}}, "column 's': field 'params'"),
    (
        {"kind": "density", "name": "d", "density": "x * y", "low": 0, "high": 1},
        "column 'd': field 'density': Value error, a density may only use x, not y",
    ),
    (
        {"kind": "empirical", "name": "v"},
        "column 'v': field 'values': give exactly one of values, file, histogram",
    ),
    (
        {"kind": "fixed_sum", "columns": ["a", "b"], "total": 10, "alpha": [1]},
        "field 'alpha': alpha needs 2 values",
    ),
    ({"kind": "mixture", "columns": ["a"]}, "column 'a': field 'file': give sample data"),
    (
        {"kind": "truncnormal", "name": "t", "low": 3, "high": 1},
        "column 't': field 'low': low (3.0) must be below",
    ),
    ({"kind": "date", "name": "d", "start": "2024-02-01", "end": "2024-01-01"}, "column 'd': field 'start'"),
    (
        {"kind": "graph", "model": "erdos_renyi", "nodes": 10, "p": 0.1, "m": 2},
        "field 'model': model erdos_renyi does",
    ),
    (
        {"kind": "tree", "name": "t", "features": ["country"]},
        "column 't': field 'rows': a tree needs sample data",
    ),
]


@pytest.mark.parametrize(
    ("column", "expected"), BAD, ids=[f"{c['kind']}-{i}" for i, (c, _) in enumerate(BAD)]
)
def test_bad_parameters_name_the_column_and_the_field(column: dict[str, Any], expected: str) -> None:
    with pytest.raises(SpecError) as info:
        spec_from_dict({"columns": [CAT, column]})
    assert expected in str(info.value)


def test_unknown_map_column_is_caught_by_the_planner() -> None:
    column = {"kind": "normal", "name": "x", "mean": {"by": "contry", "map": {"USA": 1}}}
    with pytest.raises(SpecError, match=r"column 'x': uses 'contry'.*did you mean 'country'"):
        spec_from_dict({"columns": [CAT, column]})


def test_schemas_and_dependencies_describe_the_outputs() -> None:
    spec = spec_from_dict(
        {
            "columns": [
                CAT,
                {
                    "kind": "poisson",
                    "name": "visits",
                    "lam": {"by": "country", "map": {"USA": 3}, "default": 1},
                    "bounds": [1, 9],
                },
                {"kind": "beta", "name": "score", "a": 2, "b": 3, "round": 2},
                {"kind": "fixed_sum", "columns": ["a", "b"], "total_column": "visits", "integer": True},
                {
                    "kind": "graph",
                    "model": "watts_strogatz",
                    "nodes": 20,
                    "k": 4,
                    "p": 0.1,
                    "output": "nodes",
                    "columns": ["user", "friends"],
                },
            ]
        }
    )
    schemas = {s.name: s for s in spec.column_schemas()}
    assert (schemas["visits"].type, schemas["visits"].minimum, schemas["visits"].maximum) == ("integer", 1, 9)
    assert (schemas["score"].type, schemas["score"].minimum, schemas["score"].maximum) == ("number", 0, 1)
    assert schemas["a"].type == "integer"
    assert schemas["user"].unique
    assert schemas["friends"].type == "integer"
    assert spec.columns[1].dependencies() == {"country"}
    assert spec.columns[3].dependencies() == {"visits"}
    (constraint,) = spec.row_constraints()
    assert (constraint.columns, constraint.total_column, constraint.tolerance) == (("a", "b"), "visits", 0)
