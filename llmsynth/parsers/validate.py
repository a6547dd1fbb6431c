"""Check a whole table against the row schema at once: the generator's last gate and `eval`'s validity.

Each check yields a boolean mask over the rows (see ``column_checks``); the masks become one errors
DataFrame (row, column, reason) with rows by position, so the result is independent of the index.
A column absent from the frame makes every row invalid with reason ``missing column``. Row
constraints: a SumConstraint row whose parts add up to more than ``tolerance`` away from its total
fails with ``sum 99.5 != 100``; rows with a missing part are left to the per-column checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from llmsynth.parsers.column_checks import column_checks
from llmsynth.spec.schema import ColumnSchema, RowConstraint, SumConstraint

ERROR_COLUMNS = ["row", "column", "reason"]


@dataclass(frozen=True)
class TableValidation:
    """Per-row validity and every reason a row failed."""

    valid: np.ndarray
    errors: pd.DataFrame

    @property
    def n_rows(self) -> int:
        """Rows checked."""
        return len(self.valid)

    @property
    def n_valid(self) -> int:
        """Rows that passed every check."""
        return int(self.valid.sum())

    @property
    def n_invalid(self) -> int:
        """Rows with at least one error."""
        return self.n_rows - self.n_valid

    @property
    def validity(self) -> float:
        """Fraction of valid rows (1.0 for an empty table: nothing in it is wrong)."""
        return self.n_valid / self.n_rows if self.n_rows else 1.0

    def reasons_count(self) -> dict[str, int]:
        """Failed checks per reason, most frequent first (a row can count under several reasons)."""
        counts = self.errors["reason"].value_counts()
        return {str(k): int(v) for k, v in counts.items()}

    def row_reasons(self) -> dict[int, str]:
        """For each invalid row, its reasons as ``column: reason; ...`` (for rejects files)."""
        if self.errors.empty:
            return {}
        text = self.errors["column"] + ": " + self.errors["reason"]
        joined = text.groupby(self.errors["row"], sort=True).agg("; ".join)
        return {int(k): str(v) for k, v in joined.items()}


def _numbers(frame: pd.DataFrame, name: str) -> np.ndarray:
    return np.asarray(pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan))


def _sum_failures(frame: pd.DataFrame, rule: SumConstraint) -> tuple[np.ndarray, np.ndarray] | None:
    names = [*rule.columns, *([rule.total_column] if rule.total_column else [])]
    if any(n not in frame.columns for n in names):
        return None
    parts = np.column_stack([_numbers(frame, c) for c in rule.columns])
    sums = parts.sum(axis=1)
    if rule.total_column:
        target = _numbers(frame, rule.total_column)
    elif rule.total is not None:
        target = np.full(len(frame), float(rule.total))
    else:
        return None
    gap = np.abs(sums - target)
    bad = np.flatnonzero(gap > rule.tolerance + 1e-12 * np.abs(target))  # NaN gaps compare False
    reasons = np.array(
        [f"sum {s:.10g} != {t:.10g}" for s, t in zip(sums[bad], target[bad], strict=True)], dtype=object
    )
    return bad, reasons


def validate_table(
    frame: pd.DataFrame, schemas: Sequence[ColumnSchema], constraints: Sequence[RowConstraint] = ()
) -> TableValidation:
    """Validity of every row of ``frame`` under the column schemas and row constraints."""
    n = len(frame)
    rows: list[np.ndarray] = []
    columns: list[np.ndarray] = []
    reasons: list[np.ndarray] = []

    def add(bad_rows: np.ndarray, column: str, reason: str | np.ndarray) -> None:
        if len(bad_rows):
            rows.append(bad_rows)
            columns.append(np.full(len(bad_rows), column, dtype=object))
            reasons.append(
                np.full(len(bad_rows), reason, dtype=object) if isinstance(reason, str) else reason
            )

    for schema in schemas:
        if schema.name not in frame.columns:
            add(np.arange(n), schema.name, "missing column")
            continue
        for mask, reason in column_checks(frame[schema.name], schema):
            add(np.flatnonzero(mask), schema.name, reason)
    for rule in constraints:
        found = _sum_failures(frame, rule)
        if found is not None:
            add(found[0], "+".join(rule.columns), found[1])

    valid = np.ones(n, dtype=bool)
    if not rows:
        return TableValidation(valid, pd.DataFrame({c: pd.Series(dtype=object) for c in ERROR_COLUMNS}))
    all_rows = np.concatenate(rows)
    order = np.argsort(all_rows, kind="stable")
    errors = pd.DataFrame(
        {
            "row": all_rows[order],
            "column": np.concatenate(columns)[order],
            "reason": np.concatenate(reasons)[order],
        }
    )
    valid[all_rows] = False
    return TableValidation(valid, errors)
