"""The picture chosen for each guide spec, and for tables without a spec (by column types)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from llmsynth.errors import InputDataError
from llmsynth.plots import choose_picture, spec_reference
from llmsynth.plots.choose import picture_for_name
from llmsynth.spec import DatasetSpec

Table = Callable[[str], tuple[DatasetSpec, pd.DataFrame]]
RNG = np.random.default_rng(0)


def _swap(pair: tuple[DatasetSpec, pd.DataFrame]) -> tuple[pd.DataFrame, DatasetSpec]:
    return pair[1], pair[0]


@pytest.mark.parametrize(
    ("stem", "picture", "columns"),
    [
        ("01_normal", "histogram", ("value",)),
        ("03_mvnormal", "scatter", ("x", "y")),
        ("04_linear", "fit", ("height", "weight")),
        ("05_mixture", "side_by_side", ("x", "y")),
        ("06_tree", "tree", ("Feature1", "Feature2", "Label")),
        ("08_fixed_total", "stacked_bars", ("A", "B", "C")),
        ("09_correlation", "correlation", ("a", "b", "c")),
        ("10_random_graph", "graph", ("source", "target")),
        ("11_arma", "series", ("value",)),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_guide_spec_picture(guide_table: Table, stem: str, picture: str, columns: tuple[str, ...]) -> None:
    spec, data = guide_table(stem)
    chosen = choose_picture(data, spec, spec_reference(spec))

    assert chosen.name == picture
    assert chosen.columns == columns


def test_spec_options_reach_the_picture(guide_table: Table) -> None:
    assert choose_picture(*_swap(guide_table("10_random_graph"))).options == {"nodes": 10}
    assert choose_picture(*_swap(guide_table("03_mvnormal"))).options == {"equal_axes": True}
    assert choose_picture(*_swap(guide_table("08_fixed_total"))).options == {"total": "Total"}
    assert choose_picture(*_swap(guide_table("11_arma"))).options == {"time": "day", "group": None}


def test_one_column_with_a_reference_overlays(guide_table: Table) -> None:
    spec, data = guide_table("02_monte_carlo")
    reference = pd.DataFrame({"wait_minutes": RNG.normal(10, 2, 100)})

    assert choose_picture(data, spec, reference).name == "overlay"
    assert choose_picture(data, spec).name == "histogram"


@pytest.mark.parametrize(
    ("frame", "picture"),
    [
        (pd.DataFrame({"v": RNG.normal(size=20)}), "histogram"),
        (pd.DataFrame({"a": RNG.normal(size=20), "b": RNG.normal(size=20)}), "scatter"),
        (pd.DataFrame({c: RNG.normal(size=20) for c in "abcd"}), "correlation"),
        (pd.DataFrame({"source": [0, 1], "target": [1, 2]}), "graph"),
        (pd.DataFrame({"day": pd.date_range("2024-01-01", periods=20), "v": RNG.normal(size=20)}), "series"),
        (pd.DataFrame({"colour": ["red", "blue"] * 10}), "bars"),
        (pd.DataFrame({"bio": [f"person {i} likes tea" for i in range(30)]}), "table"),
        (pd.DataFrame({"job": ["nurse", "cook"] * 5, "age": range(10)}), "table"),
    ],
    ids=["one-number", "two-numbers", "four-numbers", "edges", "dated", "categories", "text", "mixed"],
)
def test_picture_from_column_types(frame: pd.DataFrame, picture: str) -> None:
    assert choose_picture(frame).name == picture


def test_empty_table_is_an_input_error() -> None:
    with pytest.raises(InputDataError, match="no rows"):
        choose_picture(pd.DataFrame({"v": []}))


def test_forced_picture_names() -> None:
    frame = pd.DataFrame({"a": RNG.normal(size=20), "b": RNG.normal(size=20), "c": RNG.normal(size=20)})

    assert picture_for_name("scatter", frame, None, None).columns == ("a", "b")
    assert picture_for_name("histogram", frame, None, None).columns == ("a",)
    assert picture_for_name("table", frame, None, None).columns == ("a", "b", "c")
    with pytest.raises(InputDataError, match="did you mean 'scatter'"):
        picture_for_name("scater", frame, None, None)
    with pytest.raises(InputDataError, match="'tree' needs a spec"):
        picture_for_name("tree", frame, None, None)
    with pytest.raises(InputDataError, match="needs 2 numeric"):
        picture_for_name("scatter", frame[["a"]], None, None)
