"""Thresholds: natural directions, explicit :min/:max, dotted column names, missing figures."""

from __future__ import annotations

import pytest

from llmsynth.evals.thresholds import direction, failed_thresholds, resolve, split_key, unchecked_thresholds

SCORES = {
    "validity": {"score": 0.95},
    "privacy": {"exact_copies": 0.1, "dcr_ratio": 0.9},
    "reference": {"overall": 0.85, "columns": {"price.usd": {"score": 0.7}}},
    "usefulness": {"skipped": "no target column"},
}


def test_directions() -> None:
    assert direction("validity.score") == "min"
    assert direction("privacy.exact_copies") == "max"
    assert direction("spec.checks.distribution:x.ks_statistic") == "max"
    assert split_key("privacy.dcr_ratio:max") == ("privacy.dcr_ratio", "max")
    assert split_key("reference.overall") == ("reference.overall", "min")


def test_resolve_handles_dots_in_column_names() -> None:
    assert resolve(SCORES, "reference.columns.price.usd.score") == (True, 0.7)
    assert resolve(SCORES, "reference.nope")[0] is False


@pytest.mark.parametrize(
    ("thresholds", "expected"),
    [
        ({"validity.score": 0.9}, []),
        ({"validity.score": 1.0}, ["validity.score = 0.95 < min 1"]),
        ({"privacy.exact_copies": 0.0}, ["privacy.exact_copies = 0.1 > max 0"]),
        ({"privacy.exact_copies:min": 0.05}, []),
        ({"privacy.dcr_ratio:max": 0.5}, ["privacy.dcr_ratio = 0.9 > max 0.5"]),
        ({"reference.columns.price.usd.score": 0.8}, ["reference.columns.price.usd.score = 0.7 < min 0.8"]),
    ],
    ids=["met", "below-min", "above-natural-max", "explicit-min", "explicit-max", "dotted-column"],
)
def test_failed_thresholds(thresholds: dict[str, float], expected: list[str]) -> None:
    assert failed_thresholds(SCORES, thresholds) == expected


def test_skipped_figures_are_unchecked_and_typos_fail() -> None:
    thresholds = {"usefulness.ratio": 0.8, "validity.run.reject_rate": 0.1}
    scores = {**SCORES, "validity": {"score": 0.95, "run": None}}
    assert failed_thresholds(scores, thresholds) == []
    assert unchecked_thresholds(scores, thresholds) == [
        "usefulness.ratio (min 0.8): no target column",
        "validity.run.reject_rate (max 0.1): not computed",
    ]
    [typo] = failed_thresholds(SCORES, {"reference.overal": 0.8})
    assert "unknown score key (did you mean 'reference.overall'?)" in typo
