"""Schemas shared by the parser tests: the job/age/country/score rows of the issue's examples."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from llmsynth.spec.schema import ColumnSchema

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def people() -> list[ColumnSchema]:
    return [
        ColumnSchema(name="job", type="string", max_length=40),
        ColumnSchema(name="age", type="integer", minimum=18, maximum=70),
        ColumnSchema(name="country", type="choice", choices=("USA", "France", "Japan")),
    ]


@pytest.fixture
def scored(people: list[ColumnSchema]) -> list[ColumnSchema]:
    return [*people, ColumnSchema(name="score", type="integer", minimum=0, maximum=100)]


@pytest.fixture
def fixture_text() -> Callable[[str], str]:
    """Reads a captured model output from tests/parsers/fixtures."""

    def read(name: str) -> str:
        return (FIXTURES / name).read_text(encoding="utf-8")

    return read
