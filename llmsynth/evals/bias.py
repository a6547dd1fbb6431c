"""Bias for chosen sensitive columns: does the synthetic class balance match what the spec declared
(or the reference shows), and does the target relate to the sensitive attribute as in the reference?

For a categorical target the relation is the positive rate per group and its spread across groups
(the demographic-parity gap); for a numeric target, the group means in units of the overall
standard deviation. ``gap_error`` = |synthetic gap - reference gap|.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from llmsynth.evals.columns import as_category, column_kind, frequencies, tvd
from llmsynth.evals.inputs import EvalInputs
from llmsynth.evals.usefulness import target_task
from llmsynth.scaffold.promises import CategoricalPromise, Promise

POSITIVE_LABELS = ("true", "1", "1.0", "yes", "y", "positive")


def positive_label(target: pd.Series, reference: pd.Series | None) -> str:
    """The label counted as 'positive': a truthy label when present, else the rarer reference class."""
    source = as_category(reference if reference is not None else target).dropna()
    labels = source.value_counts()
    for label in labels.index:
        if str(label).strip().lower() in POSITIVE_LABELS:
            return str(label)
    return str(labels.index[-1]) if len(labels) else ""


def group_rates(groups: pd.Series, target: pd.Series, positive: str | None) -> dict[str, float]:
    """Per group: share of ``positive`` targets, or the standardised mean for a numeric target."""
    frame = pd.DataFrame({"group": as_category(groups).to_numpy(), "target": target.to_numpy()}).dropna()
    if frame.empty:
        return {}
    if positive is not None:
        values = (frame["target"].map(str) == positive).astype(float)
    else:
        numbers = pd.to_numeric(frame["target"], errors="coerce")
        spread = float(numbers.std()) or 1.0
        values = (numbers - numbers.mean()) / spread
    return {str(k): float(v) for k, v in values.groupby(frame["group"]).mean().items()}


def _gap(rates: Mapping[str, float]) -> float | None:
    return max(rates.values()) - min(rates.values()) if len(rates) >= 2 else None


def _target_relation(
    column: str, target: str, data: pd.DataFrame, reference: pd.DataFrame | None, classification: bool
) -> dict[str, Any]:
    ref_target = reference[target] if reference is not None and target in reference else None
    positive = positive_label(data[target], ref_target) if classification else None
    synthetic_rates = group_rates(data[column], data[target], positive)
    out: dict[str, Any] = {
        "target": target,
        "positive": positive,
        "measure": "positive_rate" if classification else "standardised_mean",
        "synthetic_rates": synthetic_rates,
        "synthetic_gap": _gap(synthetic_rates),
        "reference_rates": None,
        "reference_gap": None,
        "gap_error": None,
        "max_rate_error": None,
    }
    if reference is not None and column in reference and ref_target is not None:
        reference_rates = group_rates(reference[column], ref_target, positive)
        shared = set(reference_rates) & set(synthetic_rates)
        synthetic_gap, reference_gap = out["synthetic_gap"], _gap(reference_rates)
        out.update(
            reference_rates=reference_rates,
            reference_gap=reference_gap,
            gap_error=abs(synthetic_gap - reference_gap)
            if synthetic_gap is not None and reference_gap is not None
            else None,
            max_rate_error=max((abs(synthetic_rates[g] - reference_rates[g]) for g in shared), default=None),
        )
    return out


def bias_scores(
    data: pd.DataFrame,
    sensitive: list[str],
    promises: list[Promise],
    reference: pd.DataFrame | None = None,
    target: str | None = None,
    classification: bool = True,
) -> dict[str, Any]:
    """Class balance per sensitive column and, with a target, its relation to each of them."""
    declared = {p.column: p.weights for p in promises if isinstance(p, CategoricalPromise)}
    columns: dict[str, dict[str, Any]] = {}
    relations: dict[str, dict[str, Any]] = {}
    for column in sensitive:
        observed = frequencies(data[column])
        expected: dict[str, float] | None = None
        source = None
        if column in declared:
            total = sum(declared[column].values())
            expected, source = {str(k): v / total for k, v in declared[column].items()}, "spec"
        elif reference is not None and column in reference:
            expected, source = frequencies(reference[column]), "reference"
        entry: dict[str, Any] = {
            "source": source,
            "synthetic": observed,
            "expected": expected,
            "tvd": None,
            "max_share_error": None,
        }
        if expected is not None:
            labels = set(observed) | set(expected)
            entry["tvd"] = tvd(observed, expected)
            entry["max_share_error"] = max(abs(observed.get(k, 0.0) - expected.get(k, 0.0)) for k in labels)
        columns[column] = entry
        if target is not None and target != column:
            relations[column] = _target_relation(column, target, data, reference, classification)
    tvds = [c["tvd"] for c in columns.values() if c["tvd"] is not None]
    gaps = [r["gap_error"] for r in relations.values() if r["gap_error"] is not None]
    return {
        "sensitive": list(sensitive),
        "columns": columns,
        "target_relation": relations,
        "max_tvd": max(tvds) if tvds else None,
        "max_gap_error": max(gaps) if gaps else None,
    }


def family(inputs: EvalInputs) -> dict[str, Any]:
    """The ``bias`` family: rates and gaps across the sensitive groups."""
    if not inputs.sensitive:
        return {"skipped": "no sensitive columns"}
    target, reference = inputs.target, inputs.reference
    base = reference if reference is not None else inputs.data
    classification = (
        target is None
        or target_task(base[target], column_kind(base[target], inputs.schemas.get(target))) == "classification"
    )
    return bias_scores(inputs.data, inputs.sensitive, inputs.promises, reference, target, classification)
