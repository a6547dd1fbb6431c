"""Reference fidelity: hand-computed metric values, and agreement with SDMetrics' QualityReport."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from llmsynth.evals.reference_fidelity import (
    contingency_similarity,
    correlation_similarity,
    ks_complement,
    reference_scores,
    tv_complement,
)

# small tables whose SDMetrics 0.32.0 QualityReport scores are recorded below
REAL = {
    "age": [23, 35, 47, 52, 29, 61, 38, 44, 33, 57, 26, 49, 41, 36, 58, 31],
    "income": [
        31.5,
        42.0,
        55.3,
        61.2,
        35.8,
        70.1,
        47.7,
        50.2,
        40.4,
        66.9,
        33.3,
        58.8,
        49.9,
        44.1,
        63.0,
        39.5,
    ],
    "city": [
        "Paris",
        "Lyon",
        "Paris",
        "Nice",
        "Lyon",
        "Paris",
        "Nice",
        "Paris",
        "Lyon",
        "Paris",
        "Nice",
        "Lyon",
        "Paris",
        "Lyon",
        "Nice",
        "Paris",
    ],
    "member": [
        True,
        False,
        True,
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        True,
        False,
        True,
        False,
    ],
}
SYNTHETIC = {
    "age": [25, 34, 50, 45, 30, 59, 40, 42, 28, 55, 22, 63, 39, 37, 48, 33],
    "income": [
        38.0,
        40.5,
        52.1,
        49.0,
        41.2,
        62.3,
        45.5,
        58.0,
        36.6,
        60.4,
        34.0,
        57.7,
        43.8,
        47.2,
        51.9,
        55.5,
    ],
    "city": [
        "Paris",
        "Lyon",
        "Lyon",
        "Nice",
        "Paris",
        "Paris",
        "Nice",
        "Paris",
        "Lyon",
        "Lyon",
        "Nice",
        "Paris",
        "Paris",
        "Marseille",
        "Nice",
        "Paris",
    ],
    "member": [
        True,
        True,
        True,
        False,
        False,
        True,
        False,
        True,
        False,
        True,
        True,
        True,
        False,
        False,
        True,
        True,
    ],
}
# QualityReport().generate(REAL, SYNTHETIC, metadata with sdtypes numerical, numerical, categorical, boolean)
SDMETRICS = {
    "overall": 0.7598168552174627,
    "column_shapes": 0.9062500048828122,
    "column_pair_trends": 0.6133837055521131,
    "columns": {"age": 0.9375, "income": 0.8125, "city": 0.9375000195312487, "member": 0.9375},
    "pairs": {
        "age|income": 0.9303022333126787,
        "age|city": 0.5,
        "age|member": 0.5625,
        "income|city": 0.3125,
        "income|member": 0.625,
        "city|member": 0.75,
    },
}


def test_matches_recorded_sdmetrics_quality_report() -> None:
    scores = reference_scores(pd.DataFrame(SYNTHETIC), pd.DataFrame(REAL))
    # SDMetrics adds 1e-6 to real counts of categories only the synthetic table has: a 2e-8 difference
    for key in ("overall", "column_shapes", "column_pair_trends"):
        assert scores[key] == pytest.approx(SDMETRICS[key], abs=1e-6)
    for name, value in SDMETRICS["columns"].items():
        assert scores["columns"][name]["score"] == pytest.approx(value, abs=1e-6)
    for name, value in SDMETRICS["pairs"].items():
        assert scores["pairs"][name]["score"] == pytest.approx(value, abs=1e-9)
    assert scores["columns"]["member"]["metric"] == "TVComplement"
    assert scores["pairs"]["age|income"]["metric"] == "CorrelationSimilarity"


def test_matches_live_sdmetrics_when_installed() -> None:
    sdmetrics_reports = pytest.importorskip("sdmetrics.reports")
    # from 0.32 the report lives in sdmetrics.reports and wants the metadata under 'tables'
    current = hasattr(sdmetrics_reports, "QualityReport")
    if not current:
        sdmetrics_reports = pytest.importorskip("sdmetrics.reports.single_table")
    real, synthetic = pd.DataFrame(REAL), pd.DataFrame(SYNTHETIC)
    metadata = {
        "columns": {
            "age": {"sdtype": "numerical"},
            "income": {"sdtype": "numerical"},
            "city": {"sdtype": "categorical"},
            "member": {"sdtype": "boolean"},
        }
    }
    report = sdmetrics_reports.QualityReport()
    if current:
        report.generate({"people": real}, {"people": synthetic}, {"tables": {"people": metadata}}, verbose=False)
    else:
        report.generate(real, synthetic, metadata, verbose=False)
    assert reference_scores(synthetic, real)["overall"] == pytest.approx(report.get_score(), abs=1e-6)


def test_metric_values_hand_computed() -> None:
    # KS: real {1,2,3,4}, synthetic {3,4,5,6}: the CDFs differ by 0.5 at x in [2, 3)
    assert ks_complement(pd.Series([1, 2, 3, 4.0]), pd.Series([3, 4, 5, 6.0])) == pytest.approx(0.5)
    # TV: (a .5, b .5) vs (a .75, b .25) -> TVD 0.25
    assert tv_complement(pd.Series(list("ab")), pd.Series(list("aaab"))) == pytest.approx(0.75)
    # perfect positive vs perfect negative correlation: 1 - |1 - (-1)| / 2 = 0
    x = np.arange(10.0)
    result = correlation_similarity(pd.DataFrame({"a": x, "b": x}), pd.DataFrame({"a": x, "b": -x}))
    assert result["score"] == pytest.approx(0.0)
    # joint (a,x) .5 (b,y) .5 vs (a,y) .5 (b,y) .5: TVD 0.5
    real = pd.DataFrame({"p": ["a", "b"], "q": ["x", "y"]})
    synthetic = pd.DataFrame({"p": ["a", "b"], "q": ["y", "y"]})
    assert contingency_similarity(real, synthetic) == pytest.approx(0.5)


def test_identical_tables_score_one_and_text_is_left_out() -> None:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=200),
            "y": rng.normal(size=200),
            "c": rng.choice(["u", "v"], 200),
            "note": [f"text {i}" for i in range(200)],
        }
    )
    scores = reference_scores(frame, frame)
    assert scores["overall"] == pytest.approx(1.0)
    assert scores["excluded"] == {"note": "free text"}


def test_broken_correlation_lowers_pair_trends() -> None:
    rng = np.random.default_rng(4)
    values = rng.multivariate_normal([0, 0], [[1, 0.9], [0.9, 1]], 1000)
    real = pd.DataFrame(values, columns=["a", "b"])
    broken = pd.DataFrame({"a": values[:, 0], "b": rng.permutation(values[:, 1])})
    scores = reference_scores(broken, real)
    assert scores["column_shapes"] == pytest.approx(1.0)
    assert scores["pairs"]["a|b"]["score"] == pytest.approx(1 - 0.9 / 2, abs=0.05)
