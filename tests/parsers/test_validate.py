"""validate_table: each check's reason, positions by row, missing columns, uniqueness, sum constraints."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from llmsynth.errors import SpecError
from llmsynth.parsers import validate_table
from llmsynth.spec.schema import ColumnSchema, SumConstraint


def errors_of(
    frame: pd.DataFrame, schemas: list[ColumnSchema], constraints: list[SumConstraint] | None = None
):
    result = validate_table(frame, schemas, constraints or [])
    return [tuple(r) for r in result.errors.itertuples(index=False)], result


def test_every_reason_on_a_small_table(scored: list[ColumnSchema]) -> None:
    frame = pd.DataFrame(
        {
            "job": ["Teacher", None, "x" * 41, "Nurse"],
            "age": [45, 17, 30.0, 30.5],
            "country": ["USA", "Mars", "France", "usa"],
            "score": [100, 101, np.nan, 50],
        },
        index=[10, 20, 30, 40],  # positions, not labels, are reported
    )
    errors, result = errors_of(frame, scored)
    assert errors == [
        (1, "job", "missing"),
        (1, "age", "below minimum 18"),
        (1, "country", "not one of the choices"),
        (1, "score", "above maximum 100"),
        (2, "job", "longer than 40 characters"),
        (2, "score", "missing"),
        (3, "age", "not a whole number"),
        (3, "country", "not one of the choices"),
    ]
    assert result.valid.tolist() == [True, False, False, False]
    assert (result.n_valid, result.n_invalid, result.validity) == (1, 3, 0.25)
    assert result.reasons_count()["not one of the choices"] == 2
    assert result.row_reasons()[2] == "job: longer than 40 characters; score: missing"


def test_missing_column_invalidates_every_row(people: list[ColumnSchema]) -> None:
    frame = pd.DataFrame({"job": ["A", "B"], "age": [20, 30]})
    errors, result = errors_of(frame, people)
    assert errors == [(0, "country", "missing column"), (1, "country", "missing column")]
    assert result.validity == 0.0


def test_text_forms_of_numbers_booleans_and_dates() -> None:
    schemas = [
        ColumnSchema(name="n", type="integer"),
        ColumnSchema(name="b", type="boolean"),
        ColumnSchema(name="d", type="date"),
        ColumnSchema(name="t", type="datetime", nullable=True),
    ]
    frame = pd.DataFrame(
        {
            "n": ["45", "4x", "7", "1e400"],
            "b": ["true", "No", "maybe", True],
            "d": ["2024-01-05", dt.date(2024, 2, 29), "2024-02-30", "5/1/2024"],
            "t": ["2024-01-05T10:00:00", None, "2024-01-05 10:00+02:00", "noon"],
        },
        dtype=object,
    )
    errors, _ = errors_of(frame, schemas)
    assert errors == [
        (1, "n", "not a number"),
        (2, "b", "not a boolean"),
        (2, "d", "not an ISO date (YYYY-MM-DD)"),
        (3, "n", "not a finite number"),
        (3, "d", "not an ISO date (YYYY-MM-DD)"),
        (3, "t", "not an ISO datetime"),
    ]


def test_datetime64_dates_must_be_midnight() -> None:
    frame = pd.DataFrame({"d": pd.to_datetime(["2024-01-05 00:00", "2024-01-05 10:30"])})
    errors, _ = errors_of(frame, [ColumnSchema(name="d", type="date")])
    assert errors == [(1, "d", "not a date (has a time of day)")]


def test_unique_marks_repeats_after_the_first_and_ignores_nulls() -> None:
    schema = ColumnSchema(name="id", type="string", unique=True, nullable=True)
    frame = pd.DataFrame({"id": ["a", "b", "a", None, None, "a"]})
    errors, _ = errors_of(frame, [schema])
    assert errors == [(2, "id", "duplicate"), (5, "id", "duplicate")]


def test_pattern_full_match_and_bad_pattern() -> None:
    frame = pd.DataFrame({"code": ["AB-12", "ab-12", "AB-123", "AB-12x"]})
    errors, _ = errors_of(frame, [ColumnSchema(name="code", type="string", pattern=r"[A-Z]{2}-\d{2}")])
    assert [e[0] for e in errors] == [1, 2, 3]
    with pytest.raises(SpecError, match=r"column 'code'.*not a valid RE2"):
        validate_table(frame, [ColumnSchema(name="code", type="string", pattern=r"(a)\1")])


def test_sum_constraint_fixed_total_and_total_column() -> None:
    frame = pd.DataFrame({"a": [50.0, 49.5, 60.0], "b": [50.0, 50.0, np.nan], "total": [100, 99.5, 60]})
    schemas = [ColumnSchema(name=c, type="number", nullable=True) for c in ("a", "b", "total")]
    errors, _ = errors_of(frame, schemas, [SumConstraint(columns=("a", "b"), total=100, tolerance=0.01)])
    assert errors == [(1, "a+b", "sum 99.5 != 100")]  # row 2 has a missing part: left to column checks
    errors, _ = errors_of(frame, schemas, [SumConstraint(columns=("a", "b"), total_column="total")])
    assert errors == []


def test_empty_table_is_fully_valid(people: list[ColumnSchema]) -> None:
    result = validate_table(pd.DataFrame({"job": [], "age": [], "country": []}), people)
    assert (result.n_rows, result.validity, result.reasons_count()) == (0, 1.0, {})
    assert list(result.errors.columns) == ["row", "column", "reason"]


def test_large_table_is_checked_without_row_loops(people: list[ColumnSchema]) -> None:
    n = 200_000
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "job": rng.choice(["Teacher", "Nurse"], n),
            "age": rng.integers(10, 71, n),
            "country": rng.choice(["USA", "France", "Japan"], n),
        }
    )
    result = validate_table(frame, people)
    assert result.n_invalid == int((frame["age"] < 18).sum())
    assert set(result.reasons_count()) == {"below minimum 18"}


def test_cells_no_column_type_accepts_are_invalid_not_a_crash() -> None:
    # JSON Lines can nest values; a frame built in Python can hold bytes or broken Unicode
    frame = pd.DataFrame({"job": pd.Series(["Chef", ["a", "b"], {"x": 1}, b"\x80", "a\ud800", None], dtype=object)})
    schemas = [ColumnSchema(name="job", type="string", unique=True, nullable=True)]
    result = validate_table(frame, schemas)
    assert result.valid.tolist() == [True, False, False, False, False, True]
    assert set(result.errors["reason"]) == {"not a plain value (a list, mapping, bytes or invalid Unicode)"}
