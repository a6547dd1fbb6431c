"""``evaluate``: run every metric family that the inputs allow and collect them in an EvalReport.

A family that cannot run (no spec, no reference, no target) is recorded as ``{"skipped": why}``,
so the JSON always has the same top-level keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from llmsynth.errors import InputDataError
from llmsynth.evals.bias import bias_scores
from llmsynth.evals.columns import column_kind
from llmsynth.evals.diversity import diversity_scores
from llmsynth.evals.privacy import privacy_scores
from llmsynth.evals.reference_fidelity import reference_scores
from llmsynth.evals.report import EvalReport
from llmsynth.evals.spec_fidelity import collect_promises, spec_fidelity_scores
from llmsynth.evals.usefulness import target_task, usefulness_scores
from llmsynth.evals.validity import validity_scores
from llmsynth.spec import DatasetSpec

FAMILIES = ("validity", "spec", "reference", "diversity", "privacy", "usefulness", "bias")


def _check_inputs(data: Any, reference: Any, target: str | None, sensitive: list[str]) -> None:
    if not isinstance(data, pd.DataFrame):
        raise InputDataError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    if reference is not None and not isinstance(reference, pd.DataFrame):
        raise InputDataError(f"reference must be a pandas DataFrame, not {type(reference).__name__}")
    for name, role in [(target, "target"), *((s, "sensitive") for s in sensitive)]:
        if name is None:
            continue
        if name not in data.columns:
            raise InputDataError(
                f"{role} column '{name}' is not in the data; columns: {', '.join(map(str, data.columns))}"
            )
        if role == "target" and reference is not None and name not in reference.columns:
            raise InputDataError(f"target column '{name}' is not in the reference table")


def evaluate(
    data: pd.DataFrame,
    spec: DatasetSpec | None = None,
    reference: pd.DataFrame | None = None,
    *,
    target: str | None = None,
    sensitive: list[str] | None = None,
    run_record: Mapping[str, Any] | None = None,
    seed: int = 0,
) -> EvalReport:
    """Score ``data`` against its spec and, when given, a real ``reference`` table (see docs/evals.md)."""
    if spec is not None:  # the spec's evaluation settings apply unless the caller names others
        target = target if target is not None else spec.target
        sensitive = sensitive if sensitive else spec.sensitive
    sensitive = list(sensitive or [])
    _check_inputs(data, reference, target, sensitive)
    schemas = {s.name: s for s in spec.column_schemas()} if spec is not None else {}
    promises, problems = collect_promises(spec) if spec is not None else ([], {})
    shared = [c for c in data.columns if reference is not None and c in reference.columns]

    scores: dict[str, Any] = {
        "validity": validity_scores(data, spec, run_record),
        "spec": spec_fidelity_scores(data, promises, problems) if spec is not None else {"skipped": "no spec"},
        "diversity": diversity_scores(data, spec, seed),
    }
    if reference is None:
        scores["reference"] = scores["privacy"] = {"skipped": "no reference table"}
    elif not shared:
        scores["reference"] = scores["privacy"] = {"skipped": "no column in common with the reference"}
    else:
        scores["reference"] = reference_scores(data, reference, schemas)
        scores["privacy"] = privacy_scores(data, reference, schemas, seed)
    if target is None:
        scores["usefulness"] = {"skipped": "no target column"}
    elif reference is None:
        scores["usefulness"] = {"skipped": "TSTR needs a reference table to test on"}
    else:
        try:
            scores["usefulness"] = usefulness_scores(data, reference, target, schemas, seed)
        except ValueError as exc:
            scores["usefulness"] = {"skipped": str(exc)}
    if sensitive:
        base = reference if reference is not None else data
        classification = (
            target is None
            or target_task(base[target], column_kind(base[target], schemas.get(target))) == "classification"
        )
        scores["bias"] = bias_scores(data, sensitive, promises, reference, target, classification)
    else:
        scores["bias"] = {"skipped": "no sensitive columns"}

    return EvalReport(
        scores={family: scores[family] for family in FAMILIES},
        dataset=spec.name if spec is not None else "dataset",
        rows=len(data),
        thresholds=dict(spec.thresholds) if spec is not None else {},
        data=data,
        reference=reference,
        promises=promises,
        spec=spec,
    )
