"""Validity: the share of rows passing the row schema, and the run record's counters."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from llmsynth.errors import InputDataError
from llmsynth.evals.validity import load_run_record, run_summary, validity_scores
from llmsynth.spec import spec_from_dict

SPEC = spec_from_dict(
    {
        "columns": [
            {"name": "age", "kind": "uniform", "low": 0, "high": 100},
            {
                "kind": "llm",
                "prompt": "{{ age }}",
                "fields": {
                    "tier": {"type": "choice", "choices": ["gold", "silver"]},
                    "score": {"type": "integer", "min": 0, "max": 10},
                },
            },
        ]
    }
)


def test_validity_share_and_reasons() -> None:
    data = pd.DataFrame(
        {
            "age": [10.0, 20.0, 30.0, 40.0],
            "tier": ["gold", "silver", "bronze", "gold"],
            "score": [1, 11, 2, 3],
        }
    )
    scores = validity_scores(data, SPEC, None)
    assert scores["score"] == pytest.approx(0.5)
    assert (scores["valid_rows"], scores["invalid_rows"]) == (2, 2)
    assert scores["columns"] == {"tier": 1, "score": 1}
    assert sum(scores["reasons"].values()) == 2
    assert scores["run"] is None


def test_no_spec_means_no_validity_score() -> None:
    assert validity_scores(pd.DataFrame({"a": [1]}), None, None)["score"] is None


def test_run_summary_derives_shares() -> None:
    record = {
        "rows_requested": 100,
        "rows_written": 90,
        "llm_rows": 100,
        "first_pass_valid": 80,
        "retries": 25,
        "rejected": 10,
        "rejects_by_reason": {"score: above maximum 10": 10},
    }
    run = run_summary(record)
    assert run["first_pass_validity"] == pytest.approx(0.8)
    assert run["reject_rate"] == pytest.approx(0.1)
    assert run["rejects_by_reason"] == {"score: above maximum 10": 10}


def test_load_run_record_beside_the_data(tmp_path: Path) -> None:
    data = tmp_path / "out.csv"
    assert load_run_record(data) is None
    (tmp_path / "out.run.json").write_text(json.dumps({"rows_written": 3}))
    assert load_run_record(data) == {"rows_written": 3}
    (tmp_path / "out.run.json").write_text("[1, 2")
    with pytest.raises(InputDataError, match=r"out\.run\.json"):
        load_run_record(data)
