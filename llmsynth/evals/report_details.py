"""The report's figures as pandas DataFrames, for notebooks: one long table of every figure
(``EvalReport.to_dataframe``) and one detail table per family (``EvalReport.get_details``), in the
spirit of SDMetrics' ``get_properties`` and ``get_details(property_name)``."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from llmsynth.errors import InputDataError
from llmsynth.evals.thresholds import numeric_keys, resolve, split_key

if TYPE_CHECKING:
    from llmsynth.evals.report import EvalReport

# detail name -> (family, key of its per-item table in the scores, name of the item column)
DETAILS: dict[str, tuple[str, str | None, str]] = {
    "validity": ("validity", None, "column"),
    "validity_reasons": ("validity", "reasons", "reason"),
    "rejects": ("validity", "run.rejects_by_reason", "reason"),
    "spec": ("spec", "checks", "check"),
    "reference": ("reference", "columns", "column"),
    "column_shapes": ("reference", "columns", "column"),
    "column_pair_trends": ("reference", "pairs", "pair"),
    "diversity": ("diversity", "columns", "field"),
    "privacy": ("privacy", None, "figure"),
    "usefulness": ("usefulness", None, "metric"),
    "bias": ("bias", "columns", "column"),
    "bias_target_relation": ("bias", "target_relation", "column"),
}


def _scalar(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return value


def _items_frame(items: Mapping[str, Any], index: str) -> pd.DataFrame:
    """A table from ``{item: {figure: value}}`` (nested tables dropped) or ``{item: count}``."""
    rows = []
    for name, entry in items.items():
        if isinstance(entry, Mapping):
            rows.append({index: name, **{k: _scalar(v) for k, v in entry.items() if not isinstance(v, Mapping)}})
        else:
            rows.append({index: name, "rows" if index == "reason" else "value": entry})
    return pd.DataFrame(rows, columns=None if rows else [index])


def details(report: EvalReport, name: str) -> pd.DataFrame:
    """One family's per-item figures (per column, per check, per pair, ...) as a DataFrame."""
    if name not in DETAILS:
        close = difflib.get_close_matches(name, list(DETAILS), n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise InputDataError(f"no details named '{name}'; {hint}choose from: {', '.join(DETAILS)}")
    family, key, index = DETAILS[name]
    scores = report.scores.get(family, {})
    if "skipped" in scores:
        raise InputDataError(f"'{family}' was not computed: {scores['skipped']}")
    if family == "validity" and key is None:
        invalid = scores.get("columns") or {}
        rows = report.rows or 0
        columns = list(report.data.columns) if report.data is not None else list(invalid)
        counts = [int(invalid.get(str(c), 0)) for c in columns]
        return pd.DataFrame({"column": [str(c) for c in columns], "invalid_rows": counts,
                             "valid_share": [1 - n / rows if rows else None for n in counts]})
    if family == "usefulness":
        metrics = list(scores["tstr"])
        return pd.DataFrame({"metric": metrics, "tstr": [scores["tstr"][m] for m in metrics],
                             "trtr": [scores["trtr"].get(m) for m in metrics]})
    if key is None:
        flat = {k: _scalar(v) for k, v in scores.items() if not isinstance(v, Mapping)}
        return pd.DataFrame({index: list(flat), "value": list(flat.values())})
    found, items = resolve(scores, key)
    return _items_frame(items if found and isinstance(items, Mapping) else {}, index)


def figures_frame(report: EvalReport) -> pd.DataFrame:
    """Every numeric figure as a row: family, dotted key, value, and the spec's threshold on it."""
    limits = {split_key(k)[0]: (split_key(k)[1], float(v)) for k, v in report.thresholds.items()}
    rows = []
    for key in numeric_keys(report.scores):
        value = float(resolve(report.scores, key)[1])
        bound, limit = limits.get(key, (None, None))
        met = None if limit is None else (value >= limit if bound == "min" else value <= limit)
        rows.append({"family": key.split(".", 1)[0], "key": key, "value": value, "bound": bound,
                     "threshold": limit, "passed": met})
    return pd.DataFrame(rows, columns=["family", "key", "value", "bound", "threshold", "passed"])
