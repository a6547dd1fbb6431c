"""Example 7 (LLM table): the default model writes 10 valid rows of Job, Age, Country, Score."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

import llmsynth
from llmsynth.spec import DatasetSpec

Loader = Callable[[str], DatasetSpec]


@pytest.mark.model
def test_default_model_fills_the_table(load: Loader, default_backend: Any) -> None:
    spec = load("07_llm_table.yaml")
    run = llmsynth.generate_run(spec, backend=default_backend)
    data = run.data

    assert list(data.columns) == ["Job", "Age", "Country", "Score"]
    assert len(data) == 10
    assert data.notna().all().all()
    ages = pd.to_numeric(data["Age"])
    scores = pd.to_numeric(data["Score"])
    assert (ages == ages.round()).all()
    assert ages.between(18, 75).all()
    assert scores.between(0, 100).all()
    assert all(isinstance(v, str) and v.strip() for v in data["Job"])
    assert all(isinstance(v, str) and v.strip() for v in data["Country"])
    assert data["Job"].str.strip().str.lower().nunique() >= 5, data["Job"].tolist()
    report = llmsynth.evaluate(data, spec)
    assert report.value("validity.score") == 1.0
