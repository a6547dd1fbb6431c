"""Examples 1 (normal distribution) and 2 (Monte Carlo approximation): the values follow the
declared distribution, checked with KS tests."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from scipy import stats

import llmsynth
from llmsynth.spec import DatasetSpec

Loader = Callable[[str], DatasetSpec]



def test_normal_follows_standard_normal(load: Loader) -> None:
    data = llmsynth.generate(load("01_normal.yaml"))

    assert list(data.columns) == ["value"]
    assert len(data) == 1000
    result = stats.kstest(data["value"], "norm")
    assert result.pvalue > 1e-3, result  # the project's alpha: a fixed seed passes 0.05 only 95% of the time
    assert abs(data["value"].mean()) < 0.1
    assert abs(data["value"].std() - 1) < 0.07


def test_monte_carlo_matches_the_reference(waiting_reference: pd.DataFrame, load: Loader) -> None:
    draws = llmsynth.generate(load("02_monte_carlo.yaml"))

    assert len(waiting_reference) == 10_000
    assert len(draws) == 500
    assert draws["wait_minutes"].between(0, 20).all()
    result = stats.ks_2samp(draws["wait_minutes"], waiting_reference["wait_minutes"])
    assert result.pvalue > 1e-3, result
    assert abs(draws["wait_minutes"].mean() - waiting_reference["wait_minutes"].mean()) < 0.3
    assert abs(waiting_reference["wait_minutes"].mean() - 10) < 0.06  # the reference itself is N(10, 2)
    assert abs(waiting_reference["wait_minutes"].std() - 2) < 0.05


def test_monte_carlo_fails_against_a_shifted_reference(waiting_reference: pd.DataFrame, load: Loader) -> None:
    # the check has teeth: half a minute of shift is detected by the same test and tolerance
    draws = llmsynth.generate(load("02_monte_carlo.yaml"))
    shifted = waiting_reference["wait_minutes"] + 0.5

    assert stats.ks_2samp(draws["wait_minutes"], shifted).pvalue < 0.05
    assert abs(draws["wait_minutes"].mean() - shifted.mean()) > 0.3
