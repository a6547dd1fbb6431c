"""Validity: the share of rows that satisfy the spec's row schema and row constraints, plus what
the run record says about first-pass validity, retries and rejects."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from llmsynth.errors import InputDataError
from llmsynth.evals.inputs import EvalInputs
from llmsynth.spec import DatasetSpec

RUN_KEYS = (
    "rows_requested",
    "rows_written",
    "first_pass_valid",
    "first_pass_validity",
    "llm_rows",
    "retries",
    "rejected",
    "rejects_by_reason",
    "seconds",
    "rows_per_s",
    "tokens_per_s",
)


def validity_scores(
    data: pd.DataFrame, spec: DatasetSpec | None, run_record: Mapping[str, Any] | None
) -> dict[str, Any]:
    """``score`` is the valid share of rows (None without a spec); ``run`` summarises the run record."""
    out: dict[str, Any] = {
        "score": None,
        "rows": len(data),
        "valid_rows": None,
        "invalid_rows": None,
        "reasons": {},
        "columns": {},
    }
    if spec is not None:
        out.update(_table_validity(data, spec))
    out["run"] = run_summary(run_record) if run_record else None
    return out


def _table_validity(data: pd.DataFrame, spec: DatasetSpec) -> dict[str, Any]:
    from llmsynth.parsers import validate_table

    frame = data.reset_index(drop=True)
    check = validate_table(frame, spec.column_schemas(), spec.row_constraints())
    valid = int(pd.Series(check.valid, dtype=bool).sum())
    errors = check.errors
    by_column: dict[str, int] = {}
    if len(errors):
        # a row counts once per column however many reasons it has there
        per_column = errors.drop_duplicates(["row", "column"])["column"].value_counts()
        by_column = {str(k): int(v) for k, v in per_column.items()}
    return {
        "score": valid / len(frame) if len(frame) else None,
        "valid_rows": valid,
        "invalid_rows": len(frame) - valid,
        "reasons": {str(k): int(v) for k, v in check.reasons_count().items()},
        "columns": by_column,
    }


def run_summary(record: Mapping[str, Any]) -> dict[str, Any]:
    """The run record's counters with two derived shares: first-pass validity and the reject rate."""
    out = {key: record.get(key) for key in RUN_KEYS}
    out["rejects_by_reason"] = dict(record.get("rejects_by_reason") or {})
    if out["first_pass_validity"] is None and record.get("llm_rows"):
        out["first_pass_validity"] = (record.get("first_pass_valid") or 0) / record["llm_rows"]
    written = record.get("rows_written") or 0
    rejected = record.get("rejected") or 0
    out["reject_rate"] = rejected / (written + rejected) if written + rejected else None
    return out


def load_run_record(data_path: str | Path) -> dict[str, Any] | None:
    """The run record the engine wrote beside ``X.csv`` (``X.run.json``), or None when there is none."""
    path = Path(data_path)
    record_path = path.with_suffix("").with_name(path.with_suffix("").name + ".run.json")
    if not record_path.exists():
        return None
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputDataError(f"{record_path}: cannot read the run record: {exc}") from exc
    if not isinstance(record, dict):
        raise InputDataError(f"{record_path}: a run record must be a JSON object")
    return record


def family(inputs: EvalInputs) -> dict[str, Any]:
    """The ``validity`` family: every row checked against the row schema, plus the run's own counts."""
    return validity_scores(inputs.data, inputs.spec, inputs.run_record)
