"""``fit``: learn an editable spec from a real table.

Columns are typed (``kinds``), the privacy options applied (``prepare``), then modelled: identifiers as
fresh ids, numbers/dates/categories/booleans as marginals joined by a Gaussian copula, and, with a
categorical label, one copula per class (``kind: conditional``) so that what separates the classes is
kept; free text becomes an LLM group. Every choice is written as a comment in the YAML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from llmsynth.errors import InputDataError
from llmsynth.fitting.dependence import category_order, latent_correlation, normal_scores, summary_score
from llmsynth.fitting.kinds import infer_kinds, is_bools
from llmsynth.fitting.marginals import (
    MAX_DISCRETE_VALUES,
    Entry,
    boolean_entry,
    category_entry,
    date_entry,
    discrete_table,
    numeric_marginal,
)
from llmsynth.fitting.options import FitOptions, Kind
from llmsynth.fitting.outside import identifier_entry, text_group
from llmsynth.fitting.prepare import prepare
from llmsynth.spec import DatasetSpec, spec_from_dict

MODELLED = ("continuous", "integer", "categorical", "boolean", "datetime")
MIN_CLASS_ROWS = 10  # smaller classes share the copula fitted on all rows (the conditional's default)


@dataclass
class _Fit:
    """What every modelling step reads: the prepared table, kinds, options, the one random stream,
    the integer columns stored as floats, where the real table had missing values, and the notes
    (YAML comments) being collected."""

    prepared: pd.DataFrame
    kinds: dict[str, Kind]
    options: FitOptions
    rng: np.random.Generator
    floats: set[str]
    missing: pd.DataFrame
    notes: dict[str, str] = field(default_factory=dict)


def fit(data: pd.DataFrame, options: FitOptions | None = None, *, source: str | None = None) -> DatasetSpec:
    """A spec that generates tables like ``data`` (see the module docstring and docs/fit.md)."""
    options = options or FitOptions()
    frame = _checked(data)
    kinds = infer_kinds(frame, options.kinds)
    label = _checked_label(options.label, kinds, frame)
    rng = np.random.default_rng(options.seed)
    floats = {c for c, k in kinds.items() if k in ("integer", "boolean") and pd.api.types.is_float_dtype(frame[c])}
    state = _Fit(prepare(frame, kinds, options, rng), kinds, options, rng, floats, frame.isna())
    notes = state.notes
    columns: list[Entry] = []

    for name in [c for c, k in kinds.items() if k == "identifier"]:
        entry, note = identifier_entry(frame[name])
        notes[f"columns/{len(columns)}"] = f"{name}: {note}"
        columns.append({"name": name, **entry})

    modelled = [c for c, k in kinds.items() if k in MODELLED]
    per_class = (
        label is not None
        and options.label_model == "per-class"
        and _is_class_label(state.prepared[label], kinds[label])
    )
    if per_class:
        assert label is not None
        entry, note = _marginal(state, None, label)
        notes[f"columns/{len(columns)}"] = f"{label}: the label, {note}"
        columns.append({"name": label, **entry})
        features = [c for c in modelled if c != label]
        if features:
            columns.append(_per_class(state, label, features, f"columns/{len(columns)}"))
    elif modelled:
        path = f"columns/{len(columns)}"
        entry = _joint(state, None, modelled, path)
        if entry["kind"] == "copula":
            notes[path] = "one Gaussian copula over every modelled column"
            columns.append(entry)
        else:
            columns.append({"name": modelled[0], **entry})

    texts = [c for c, k in kinds.items() if k == "text"]
    if texts:
        context = [c for c in ([label] if label else []) + modelled if c not in texts]
        context = list(dict.fromkeys(context))
        entry, note = text_group(frame, texts, context, options.examples, rng)
        notes[f"columns/{len(columns)}"] = note
        columns.append(entry)
    if not columns:
        raise InputDataError("no column can be modelled (every column is empty or ignored)")
    columns = _in_table_order(columns, list(frame.columns), notes)

    spec_dict: dict[str, Any] = {
        "name": options.name or (Path(source).stem if source else "fitted"),
        "description": f"Fitted by llmsynth fit on {source or 'a DataFrame'}"
        f" ({len(frame)} rows, {frame.shape[1]} columns).",
        "rows": options.rows or len(frame),
        "seed": options.seed,
        "columns": columns,
    }
    if label is not None:
        spec_dict["target"] = label
    notes[""] = _header(kinds, label, per_class, options, source, frame)
    spec = spec_from_dict(spec_dict, source=source or "<fit>")
    spec.notes.update(notes)
    return spec


def _in_table_order(columns: list[Entry], order: list[str], notes: dict[str, str]) -> list[Entry]:
    """Entries sorted by where their first column sits in the real table (generation order is set by the
    dependencies, output order by the entries), so a label that comes last in the table comes last again."""
    position = {name: i for i, name in enumerate(order)}

    def first(entry: Entry) -> int:
        names = [entry["name"]] if "name" in entry and entry["kind"] != "llm" else list(entry.get("columns") or [])
        names += list(entry.get("fields") or [])
        return min(position[n] for n in names)

    ranked = sorted(range(len(columns)), key=lambda i: first(columns[i]))
    moved = {f"columns/{old}": f"columns/{new}" for new, old in enumerate(ranked)}
    renamed = {}
    for key, text in notes.items():
        head, _, rest = key.partition("/")
        index, _, tail = rest.partition("/")
        new = moved.get(f"{head}/{index}") if head == "columns" else None
        renamed[f"{new}/{tail}" if new and tail else new or key] = text
    notes.clear()
    notes.update(renamed)
    return [columns[i] for i in ranked]


def _checked(data: Any) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise InputDataError(f"fit needs a pandas DataFrame or a table file, not {type(data).__name__}")
    if len(data) < 2:
        raise InputDataError(f"fit needs at least 2 rows, the table has {len(data)}")
    frame = data.rename(columns=str).reset_index(drop=True)
    duplicated = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if duplicated:
        raise InputDataError(f"the table repeats column name(s) {', '.join(duplicated)}")
    return frame


def _checked_label(label: str | None, kinds: dict[str, Kind], frame: pd.DataFrame) -> str | None:
    if label is None:
        return None
    if label not in kinds:
        raise InputDataError(f"label '{label}' is not a column; columns: {', '.join(map(str, frame.columns))}")
    if kinds[label] not in MODELLED:
        raise InputDataError(f"label '{label}' is a {kinds[label]} column; a label must be a category or a number")
    return label


def _is_class_label(values: pd.Series | np.ndarray, kind: Kind) -> bool:
    if kind in ("categorical", "boolean"):
        return True
    return kind == "integer" and pd.Series(values).nunique() <= MAX_DISCRETE_VALUES


Rows = np.ndarray | None  # a boolean mask over the table's rows (one class), or None for all of them


def _rows(state: _Fit, rows: Rows) -> pd.DataFrame:
    return state.prepared if rows is None else state.prepared[rows].reset_index(drop=True)


def _marginal(state: _Fit, rows: Rows, name: str) -> tuple[Entry, str]:
    """One column's marginal fitted on ``rows``, with the share of values missing there as ``null_rate``."""
    entry, note = _values_marginal(state, _rows(state, rows), name)
    missing = state.missing[name] if rows is None else state.missing[name][rows]
    share = float(missing.mean()) if len(missing) else 0.0
    if share > 0:
        entry["null_rate"] = min(round(share, 4), 0.999)
        note += f"; {share:.0%} missing"
    return entry, note


def _values_marginal(state: _Fit, table: pd.DataFrame, name: str) -> tuple[Entry, str]:
    series, kind, options = table[name], state.kinds[name], state.options
    if series.isna().all():  # missing in every row of this class: the column's values over all rows
        series = state.prepared[name]
    if kind == "categorical" or (kind == "boolean" and series.dtype == object and not is_bools(series)):
        labels = series.dropna()
        order = [str(c) for c in labels.value_counts().index]
        return category_entry(labels, order), f"{len(order)} categories"
    if kind == "boolean" and is_bools(series):
        return boolean_entry(series.dropna()), "true/false"
    if kind == "datetime":
        return date_entry(series, options), "dates: quantile function"
    values = pd.to_numeric(series, errors="coerce").dropna().to_numpy(dtype=float)
    if kind == "boolean":
        return discrete_table(values, options, name in state.floats), "0/1 flag"
    return numeric_marginal(values, kind, options, state.rng, floats=name in state.floats)


def _joint(state: _Fit, rows: Rows, names: list[str], path: str) -> Entry:
    """A copula over ``names`` fitted on ``rows`` (one marginal when there is a single column)."""
    if len(names) == 1:
        entry, note = _marginal(state, rows, names[0])
        state.notes[path] = f"{names[0]}: {note}"
        return entry
    table = _rows(state, rows)
    scores: dict[str, np.ndarray] = {}
    marginals: dict[str, Entry] = {}
    categorical = []
    for name in names:
        series, kind = table[name], state.kinds[name]
        if kind == "categorical" or (kind == "boolean" and series.dtype == object and not is_bools(series)):
            categorical.append(name)
            continue
        marginals[name], state.notes[f"{path}/columns/{name}"] = _marginal(state, rows, name)
        scores[name] = normal_scores(_as_numbers(series), state.rng)
    summary = summary_score([scores[n] for n in names if n in scores and state.kinds[n] != "boolean"])
    for name in categorical:
        labels = table[name]
        present = labels.dropna()
        order = category_order(present, None if summary is None else summary[present.index])
        entry, _ = _marginal(state, rows, name)
        if present.empty:
            order = list(entry["categories"])
        marginals[name] = {**entry, "categories": {c: entry["categories"][c] for c in order}}
        state.notes[f"{path}/columns/{name}"] = f"{len(order)} categories, ordered by their rows' numeric values"
        codes = labels.map({c: float(i) for i, c in enumerate(order)}).astype(float).to_numpy()
        scores[name] = normal_scores(codes, state.rng)
    corr = latent_correlation(np.column_stack([scores[n] for n in names]))
    return {"kind": "copula", "columns": {n: marginals[n] for n in names}, "corr": corr, "correlation": "latent"}


def _as_numbers(series: pd.Series) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(series):
        stamps = series.to_numpy(dtype="datetime64[ns]")
        out = stamps.astype(np.int64).astype(float)
        out[np.isnat(stamps)] = np.nan
        return np.asarray(out)
    return np.asarray(pd.to_numeric(pd.Series(series), errors="coerce").astype(float).to_numpy())


def _per_class(state: _Fit, label: str, features: list[str], path: str) -> Entry:
    """``kind: conditional`` by the label: one copula per class with enough rows, the pooled one otherwise."""
    keys = _class_keys(state.prepared[label])
    smallest = max(MIN_CLASS_ROWS, state.options.min_count)
    cases: dict[str, Entry] = {}
    pooled: list[str] = []
    for key in sorted(keys.dropna().unique(), key=_natural):
        rows = (keys == key).to_numpy()
        if rows.sum() < smallest:
            pooled.append(str(key))
            continue
        cases[str(key)] = _joint(state, rows, features, f"{path}/cases/{key}")
    entry: Entry = {"kind": "conditional", "by": label, "columns": features, "cases": cases}
    described = f"a Gaussian copula per value of '{label}' ({len(cases)} classes)"
    if pooled or not cases or keys.isna().any():
        entry["default"] = _joint(state, None, features, f"{path}/default")
        described += f"; classes with fewer than {smallest} rows (or no label) share one fitted on all rows"
    state.notes[path] = described
    return entry


def _natural(key: str) -> tuple[int, float, str]:
    """Numbers in numeric order before text, so classes 2 and 10 read in their natural order."""
    try:
        return (0, float(key), key)
    except ValueError:
        return (1, 0.0, key)


def _class_keys(values: pd.Series) -> pd.Series:
    """Label values as the text keys the conditional matches on (1.0 -> '1')."""
    from llmsynth.scaffold.conditional import key_text

    series = pd.Series(values)
    present = series.notna()
    out = pd.Series([None] * len(series), dtype=object)
    out[present.to_numpy()] = key_text(series[present])
    return out


def _header(
    kinds: dict[str, Kind], label: str | None, per_class: bool, options: FitOptions, source: str | None,
    frame: pd.DataFrame,
) -> str:
    by_kind: dict[str, list[str]] = {}
    for name, kind in kinds.items():
        by_kind.setdefault(kind, []).append(name)
    lines = [
        f"Fitted by `llmsynth fit` from {source or 'a DataFrame'}: {len(frame)} rows, {frame.shape[1]} columns.",
        "Column kinds: " + "; ".join(f"{k}: {', '.join(v)}" for k, v in by_kind.items()),
    ]
    missing = {c: float(frame[c].isna().mean()) for c in frame.columns if frame[c].isna().any()}
    if missing:
        shares = ", ".join(f"{c} {s:.0%}" for c, s in missing.items())
        lines.append(f"Missing values, generated at the same rate (null_rate, at random within a class): {shares}")
    if label is not None:
        model = "one Gaussian copula per class" if per_class else "one joint Gaussian copula"
        lines.append(f"Label: {label} ({model})")
    lines.append(
        f"Privacy: values seen in fewer than {options.min_count} rows {_rare_words(options.rare)}; "
        f"clip {options.clip:g} of each numeric tail; noise {options.noise:g} sd; "
        f"ids are new; text is written by the model"
        + (f" ({options.examples} real rows copied as examples)" if options.examples else ", no real text copied")
    )
    lines.append("Edit freely: `llmsynth validate` checks this file and `llmsynth generate` runs it as it is.")
    return "\n".join(lines)


def _rare_words(rare: str) -> str:
    return {"group": "are grouped (into 'other' or the nearest frequent number)", "drop": "are dropped",
            "keep": "are kept"}[rare]
