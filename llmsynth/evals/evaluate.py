"""``evaluate``: run every registered metric family and collect them in an EvalReport.

Families are looked up in ``llmsynth.registry.EVALS`` (one module each, plugins through the
``llmsynth.evals`` entry-point group). A family that cannot run (no spec, no reference, no target)
records ``{"skipped": why}``, so the JSON always has the same top-level keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from llmsynth.errors import InputDataError
from llmsynth.evals.inputs import EvalInputs
from llmsynth.evals.report import EvalReport
from llmsynth.evals.spec_fidelity import collect_promises
from llmsynth.registry import EVALS
from llmsynth.spec import DatasetSpec

FAMILIES = tuple(EVALS.builtin_names())  # the families this package ships, in report order


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
    inputs = EvalInputs(data, spec, reference, target, sensitive, run_record, seed, schemas, promises, problems)
    scores = {name: EVALS.get(name)(inputs) for name in EVALS.names()}

    return EvalReport(
        scores=scores,
        dataset=spec.name if spec is not None else "dataset",
        rows=len(data),
        thresholds=dict(spec.thresholds) if spec is not None else {},
        data=data,
        reference=reference,
        promises=promises,
        spec=spec,
    )
