"""Fixtures for the picture tests: guide specs and their generated tables."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import llmsynth
from llmsynth.spec import DatasetSpec

GUIDE = Path(__file__).resolve().parents[2] / "examples" / "guide"


@pytest.fixture(scope="session")
def guide_table() -> Callable[[str], tuple[DatasetSpec, pd.DataFrame]]:
    """A guide spec by file stem and its generated table (cached for the session)."""
    cache: dict[str, tuple[DatasetSpec, pd.DataFrame]] = {}

    def get(stem: str) -> tuple[DatasetSpec, pd.DataFrame]:
        if stem not in cache:
            spec = llmsynth.load_spec(GUIDE / f"{stem}.yaml")
            cache[stem] = (spec, llmsynth.generate(spec))
        return cache[stem]

    return get
