"""End to end: a faithful table scores well; known-bad tables are flagged by the metric meant for them."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from llmsynth.errors import InputDataError
from llmsynth.evals import FAMILIES, evaluate


def test_faithful_table(spec, synthetic, reference) -> None:
    report = evaluate(synthetic, spec, reference, target="segment", sensitive=["country"], seed=0)
    head = report.headline
    assert head["validity.score"] == 1.0
    assert head["spec.score"] == 1.0, report.scores["spec"]["checks"]
    assert head["reference.overall"] > 0.85
    assert head["privacy.exact_copies"] == 0.0
    assert head["privacy.dcr_ratio"] == pytest.approx(1.0, abs=0.3)
    assert head["usefulness.ratio"] > 0.8
    assert head["bias.max_tvd"] < 0.1
    assert report.failed_thresholds() == []
    assert set(report.to_dict()["scores"]) == set(FAMILIES)
    json.loads(report.to_json())  # strict JSON: no NaN


def test_copied_reference_rows_are_flagged(spec, reference) -> None:
    copies = reference.sample(300, random_state=0).reset_index(drop=True)
    report = evaluate(copies, spec, reference)
    assert report.headline["privacy.exact_copies"] == 1.0
    assert report.headline["privacy.dcr_ratio"] < 0.5
    assert any(f.startswith("privacy.exact_copies = 1 > max 0") for f in report.failed_thresholds())


def test_collapsed_column_is_flagged(spec, synthetic) -> None:
    collapsed = synthetic.assign(segment="regular", job="nurse")
    report = evaluate(collapsed, spec)
    assert report.headline["diversity.top_share"] == 1.0
    assert report.value("diversity.columns.job.distinct_ratio") == pytest.approx(1 / len(collapsed))
    assert "diversity.top_share = 1 > max 0.9" in report.failed_thresholds()


def test_broken_correlation_is_flagged(spec, synthetic, reference) -> None:
    rng = np.random.default_rng(0)
    broken = synthetic.assign(weight=rng.permutation(synthetic["weight"].to_numpy()))
    report = evaluate(broken, spec, reference)
    checks = report.scores["spec"]["checks"]
    assert checks["correlation:height,weight"]["passed"] is False
    assert checks["distribution:weight"]["passed"] is True  # the marginal is untouched
    assert report.value("reference.pairs.height|weight.score") < 0.7
    assert report.headline["spec.score"] < 1.0


def test_invalid_rows_and_run_record(spec, synthetic) -> None:
    bad = synthetic.copy()
    bad.loc[:9, "segment"] = "luxury"
    record = {
        "rows_requested": 610,
        "rows_written": 600,
        "llm_rows": 610,
        "first_pass_valid": 550,
        "retries": 70,
        "rejected": 10,
        "rejects_by_reason": {"segment: not one of the choices": 10},
    }
    report = evaluate(bad, spec, run_record=record)
    assert report.headline["validity.score"] == pytest.approx(590 / 600)
    assert report.headline["validity.run.first_pass_validity"] == pytest.approx(550 / 610)
    assert report.scores["validity"]["columns"] == {"segment": 10}
    assert report.scores["reference"] == {"skipped": "no reference table"}
    assert report.failed_thresholds()[0].startswith("validity.score = 0.9833 < min 1")


def test_unknown_target_is_input_error(spec, synthetic) -> None:
    with pytest.raises(InputDataError, match="target column 'salary'"):
        evaluate(synthetic, spec, target="salary")
    with pytest.raises(InputDataError, match="sensitive column 'gender'"):
        evaluate(synthetic, spec, sensitive=["gender"])


def test_without_spec_or_reference(synthetic) -> None:
    report = evaluate(synthetic.drop(columns=["segment"]))
    assert report.scores["spec"] == {"skipped": "no spec"}
    assert report.scores["validity"]["score"] is None
    assert report.scores["diversity"]["fields"] == ["country", "job"]
    assert isinstance(pd.Series(report.headline).sum(), float)
