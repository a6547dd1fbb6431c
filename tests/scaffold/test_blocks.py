"""Values keyed by fixed blocks of rows: the same table whatever the chunk size, order or thread count."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import llmsynth
from llmsynth.engine.runner import Runner
from llmsynth.export.dtypes import with_spec_dtypes
from llmsynth.scaffold.blocks import BlockDraws, workers
from llmsynth.scaffold.registry import build_sampler
from llmsynth.seeding import BLOCK_ROWS, blocks
from llmsynth.spec import DatasetSpec, spec_from_dict

ROWS = BLOCK_ROWS + 4_464  # crosses a block edge
COLUMNS: list[dict[str, Any]] = [
    {"kind": "id", "name": "row_id", "prefix": "R", "width": 6},
    {
        "kind": "copula",
        "columns": {
            "income": {"kind": "lognormal", "mu": 10, "sigma": 0.5},
            "visits": {"kind": "poisson", "lam": 4, "bounds": [1, 15]},
            "score": {"kind": "beta", "a": 2, "b": 3},
            "tier": {"kind": "categorical", "categories": {"a": 0.5, "b": 0.3, "c": 0.2}},
            "vip": {"kind": "boolean", "p": 0.1},
        },
        "corr": [
            [1, 0.5, 0.2, 0.1, 0.3],
            [0.5, 1, 0.1, 0, 0],
            [0.2, 0.1, 1, 0, 0],
            [0.1, 0, 0, 1, 0],
            [0.3, 0, 0, 0, 1],
        ],
    },
    {"kind": "categorical", "name": "country", "categories": {"FR": 0.5, "DE": 0.3, "JP": 0.2}},
    {"kind": "categorical", "name": "city", "by": "country",
     "categories": {"FR": ["Paris", "Lyon"], "DE": {"Berlin": 0.7, "Bonn": 0.3}}, "default": ["Tokyo"]},
    {"kind": "lognormal", "name": "spend", "mu": {"by": "country", "map": {"FR": 7, "DE": 7.5}, "default": 6},
     "sigma": 0.4, "round": 2, "null_rate": 0.1},
    {"kind": "expression", "name": "net", "expr": "spend * 0.8 + normal(0, 3)", "round": 2},
    {"kind": "fixed_sum", "columns": ["rent", "food"], "alpha": [3, 2], "total_column": "spend_total", "round": 2},
    {"kind": "gamma", "name": "spend_total", "shape": 3, "scale": 400, "round": 2},
    {"kind": "mixture", "columns": ["x", "y"], "weights": [0.4, 0.6], "means": [[0, 0], [5, 2]],
     "covariances": [[[1, 0.3], [0.3, 1]], [[2, 0], [0, 0.5]]]},
    {"kind": "density", "name": "bumpy", "density": "exp(-x**2 / 2) * (1 + sin(3 * x)**2)", "low": -4, "high": 4},
    {"kind": "date", "name": "day", "start": "2024-01-01", "end": "2024-12-31"},
    {"kind": "integer", "name": "seats", "low": 1, "high": 9, "null_rate": 0.05},
    {"kind": "arma", "name": "level", "ar": [0.5], "sd": 2},
]


def _spec(chunk_size: int, rows: int = ROWS) -> DatasetSpec:
    return spec_from_dict({"rows": rows, "seed": 11, "generation": {"chunk_size": chunk_size}, "columns": COLUMNS})


def _table(chunk_size: int, rows: int = ROWS) -> pd.DataFrame:
    return llmsynth.generate(_spec(chunk_size, rows))


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return _table(1_000_000)


def test_same_table_at_chunk_size_10000(reference: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(_table(10_000), reference)


def test_same_rows_at_chunk_size_256_across_a_block_edge(reference: pd.DataFrame) -> None:
    spec = _spec(256)
    runner = Runner(spec)
    runner._prepare_whole_table(ROWS)  # the time series is drawn for the whole table, as run() does
    first = BLOCK_ROWS // 256 - 2  # chunks 254..257 straddle row 65,536
    chunks = pd.concat([runner.chunk(index, 256).data for index in range(first, first + 4)], ignore_index=True)
    rows = reference.iloc[first * 256 : (first + 4) * 256].reset_index(drop=True)
    # generate() gives the spec's dtypes (choices as category); raw chunks get them the same way
    typed = with_spec_dtypes(chunks, runner.spec.column_schemas())
    pd.testing.assert_frame_equal(typed, rows)


def test_the_table_is_real(reference: pd.DataFrame) -> None:
    assert len(reference) == ROWS
    assert reference["row_id"].iloc[-1] == f"R{ROWS:06d}"
    assert reference["spend"].isna().mean() == pytest.approx(0.1, abs=0.01)
    assert reference["net"].isna().equals(reference["spend"].isna())  # an expression over a gap is a gap
    assert reference["seats"].dtype == "Int64"
    # block edges leave no seams: both sides of row 65,536 look alike
    edge = BLOCK_ROWS
    before, after = reference.iloc[edge - 4000 : edge], reference.iloc[edge : edge + 4000]
    assert before["income"].median() == pytest.approx(after["income"].median(), rel=0.05)


def test_a_shorter_table_is_a_prefix_of_a_longer_one(reference: pd.DataFrame) -> None:
    short = _table(1_000_000, rows=5000)
    whole = reference.drop(columns=["level"]).iloc[:5000]  # an ARMA series depends on its length
    pd.testing.assert_frame_equal(short.drop(columns=["level"]), whole)


@pytest.mark.parametrize("threads", ["2", "auto"])
def test_threads_do_not_change_values(reference: pd.DataFrame, monkeypatch: pytest.MonkeyPatch, threads: str) -> None:
    monkeypatch.setenv("LLMSYNTH_THREADS", threads)
    assert workers() >= 2 or threads == "auto"
    pd.testing.assert_frame_equal(_table(20_000), reference)  # the reference ran on one thread


def test_rows_are_cut_from_whole_blocks() -> None:
    spec = spec_from_dict({"seed": 3, "columns": [{"kind": "normal", "name": "x"}]})
    draws = BlockDraws(build_sampler(spec.columns[0], spec), seed=3, block_rows=1000)
    whole = np.concatenate([draws.rows(0, 1000)["z"], draws.rows(1000, 1000)["z"]])
    assert np.array_equal(draws.rows(990, 20)["z"], whole[990:1010])
    assert np.array_equal(BlockDraws(draws.sampler, 3, 1000).rows(500, 1000)["z"], whole[500:1500])
    assert list(blocks(990, 20, 1000)) == [0, 1]
    assert list(blocks(0, 0, 1000)) == []
