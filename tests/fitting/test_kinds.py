"""Column kinds inferred from a real-like table, and overrides."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from llmsynth.errors import InputDataError
from llmsynth.fitting import infer_kind, infer_kinds


def test_every_kind_of_the_customers_table(table: pd.DataFrame) -> None:
    assert infer_kinds(table) == {
        "customer_id": "identifier",
        "segment": "categorical",
        "age": "integer",
        "income": "continuous",
        "joined": "datetime",
        "member": "boolean",
        "visits": "integer",
        "country": "categorical",
        "note": "text",
    }


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (pd.Series([0, 1, 1, 0, 1]), "boolean"),
        (pd.Series(["yes", "no", "no"]), "boolean"),
        (pd.Series(["2021-03-04", "2022-11-30", None]), "datetime"),
        (pd.Series(np.arange(100, 150)), "identifier"),
        (pd.Series([3.0, 1.0, 2.0, 2.0]), "integer"),
        (pd.Series([1.5, 2.25, 3.0]), "continuous"),
        (pd.Series([f"user-{i}" for i in range(30)]), "identifier"),
        (pd.Series([None, None], dtype=object), "ignore"),
    ],
    ids=["zero-one", "yes-no", "iso-dates", "consecutive-ints", "whole-floats", "floats", "codes", "empty"],
)
def test_single_columns(values: pd.Series, kind: str) -> None:
    assert infer_kind(values) == kind


def test_overrides_win_and_must_name_columns(table: pd.DataFrame) -> None:
    kinds = infer_kinds(table, {"visits": "categorical", "note": "ignore"})
    assert kinds["visits"] == "categorical"
    assert kinds["note"] == "ignore"
    with pytest.raises(InputDataError, match="--kind names column\\(s\\) nope not in the data"):
        infer_kinds(table, {"nope": "text"})
