"""Fixtures for the guide examples: spec paths and the generated (never committed) reference tables."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import llmsynth
from llmsynth.spec import DatasetSpec

GUIDE = Path(__file__).resolve().parents[2] / "examples" / "guide"


def guide_spec(name: str) -> DatasetSpec:
    return llmsynth.load_spec(GUIDE / name)


@pytest.fixture(scope="session")
def guide() -> Path:
    """The examples/guide folder."""
    return GUIDE


@pytest.fixture(scope="session")
def load() -> Callable[[str], DatasetSpec]:
    """Load a guide spec by file name."""
    return guide_spec


@pytest.fixture(scope="session")
def waiting_reference() -> pd.DataFrame:
    """Example 2's 10,000 observed waiting times, from its reference spec."""
    return llmsynth.generate(guide_spec("02_waiting_reference.yaml"))


@pytest.fixture(scope="session")
def people_reference() -> pd.DataFrame:
    """Example 12's reference people, from its reference spec."""
    return llmsynth.generate(guide_spec("12_people_reference.yaml"))
