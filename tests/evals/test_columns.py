"""Column kinds and the small helpers every metric family shares."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from llmsynth.evals.columns import as_numeric, clean, column_kind, tvd
from llmsynth.spec.schema import ColumnSchema


@pytest.mark.parametrize(
    ("series", "kind"),
    [
        (pd.Series([1.5, 2.5]), "numeric"),
        (pd.Series([True, False]), "categorical"),
        (pd.Series(pd.date_range("2024-01-01", periods=3)), "datetime"),
        (pd.Series(["a", "b"] * 10), "categorical"),
        (pd.Series([f"note {i}" for i in range(20)]), "text"),
        (pd.Series([f"c{i}" for i in range(9)]), "categorical"),  # too few values to call text
    ],
    ids=["float", "bool", "datetime", "labels", "free-text", "few-unique"],
)
def test_column_kind_from_data(series: pd.Series, kind: str) -> None:
    assert column_kind(series) == kind


def test_schema_wins_over_dtype() -> None:
    schema = ColumnSchema(name="d", type="date")
    assert column_kind(pd.Series(["2024-01-01", "2024-02-01"]), schema) == "datetime"
    seconds = as_numeric(pd.Series(["1970-01-01", "1970-01-02", "nope"]), "datetime")
    assert seconds.iloc[1] - seconds.iloc[0] == pytest.approx(86_400e9)
    assert np.isnan(seconds.iloc[2])


def test_tvd_and_clean() -> None:
    assert tvd({"a": 0.5, "b": 0.5}, {"a": 1.0}) == pytest.approx(0.5)
    assert clean({"x": np.float64("nan"), "y": (np.int64(2), np.bool_(True))}) == {"x": None, "y": [2, True]}
