"""Example 12 (responsible use): the eval report passes the spec's own output and flags a leaky
variant (copies of reference rows) on privacy, and a skewed one on class balance."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

import llmsynth
from llmsynth.spec import DatasetSpec

Loader = Callable[[str], DatasetSpec]
SPEC = "12_responsible_use.yaml"


def test_proper_synthetic_table_passes(load: Loader, people_reference: pd.DataFrame) -> None:
    spec = load(SPEC)
    data = llmsynth.generate(spec)
    report = llmsynth.evaluate(data, spec, reference=people_reference)

    assert report.value("validity.score") == 1.0
    assert report.value("privacy.exact_copies") == 0.0
    assert report.value("privacy.dcr_ratio") > 0.8
    assert report.value("bias.max_tvd") < 0.06
    assert report.failed_thresholds() == []


def test_leaky_copy_is_flagged(load: Loader, people_reference: pd.DataFrame) -> None:
    spec = load(SPEC)
    leaky = people_reference.sample(n=spec.rows, replace=True, random_state=0).reset_index(drop=True)
    report = llmsynth.evaluate(leaky, spec, reference=people_reference)

    assert report.value("validity.score") == 1.0  # a leak is valid data: only privacy catches it
    assert report.value("privacy.exact_copies") == 1.0
    assert report.value("privacy.dcr_ratio") < 0.5
    failed = " ".join(report.failed_thresholds())
    assert "privacy.exact_copies" in failed
    assert "privacy.dcr_ratio" in failed


def test_skewed_class_balance_is_flagged(load: Loader, people_reference: pd.DataFrame) -> None:
    spec = load(SPEC)
    data = llmsynth.generate(spec)
    women = data[data["sex"] == "female"]
    skewed = pd.concat([women, data[data["sex"] == "male"].head(len(women) // 4)], ignore_index=True)
    report = llmsynth.evaluate(skewed, spec, reference=people_reference)

    assert report.value("bias.max_tvd") > 0.2
    assert any(line.startswith("bias.max_tvd") for line in report.failed_thresholds())
    assert report.value("privacy.exact_copies") == 0.0
