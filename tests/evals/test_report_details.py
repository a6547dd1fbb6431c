"""Notebook manners: the report's figures as DataFrames, SDMetrics-style details per family."""

from __future__ import annotations

import pandas as pd
import pytest

from llmsynth.errors import InputDataError
from llmsynth.evals import evaluate


@pytest.fixture(scope="module")
def report(spec, synthetic, reference):
    return evaluate(synthetic, spec, reference, target="segment")


def test_to_dataframe_lists_every_figure_with_its_threshold(report) -> None:
    frame = report.to_dataframe()

    assert list(frame.columns) == ["family", "key", "value", "bound", "threshold", "passed"]
    row = frame.set_index("key").loc["reference.columns.height.score"]
    assert row["family"] == "reference"
    assert row["value"] == pytest.approx(report.value("reference.columns.height.score"))
    checked = frame.set_index("key").loc["validity.score"]
    assert (checked["bound"], checked["threshold"], checked["passed"]) == ("min", 1.0, True)
    assert set(frame["family"]) >= {"validity", "spec", "reference", "diversity", "privacy", "usefulness"}
    assert frame["value"].notna().all()


def test_details_per_family(report, synthetic) -> None:
    shapes = report.get_details("column_shapes")
    assert list(shapes.columns) == ["column", "kind", "metric", "score"]
    assert shapes.set_index("column").loc["country", "metric"] == "TVComplement"
    assert shapes.equals(report.get_details("reference"))

    pairs = report.get_details("column_pair_trends")
    row = pairs.set_index("pair").loc["height|weight"]
    assert row["real"] == pytest.approx(report.reference[["height", "weight"]].corr().iloc[0, 1])

    checks = report.get_details("spec")
    assert checks.set_index("check").loc["categorical:country", "passed"]
    assert checks.set_index("check").loc["distribution:height", "columns"] == "height"

    validity = report.get_details("validity")
    assert list(validity["column"]) == list(synthetic.columns)
    assert (validity["invalid_rows"] == 0).all()

    diversity = report.get_details("diversity").set_index("field")
    assert diversity.loc["segment", "distinct"] == synthetic["segment"].nunique()

    useful = report.get_details("usefulness")
    assert list(useful["metric"]) == ["accuracy", "f1_macro"]
    assert isinstance(report.get_details("privacy"), pd.DataFrame)


def test_unknown_or_skipped_details_say_why(report, spec, synthetic) -> None:
    with pytest.raises(InputDataError, match="did you mean 'column_shapes'"):
        report.get_details("column_shape")
    with pytest.raises(InputDataError, match="'reference' was not computed: no reference table"):
        evaluate(synthetic, spec).get_details("column_shapes")
