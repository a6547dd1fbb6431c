"""The report's pictures: one card per column (its picture next to its scores) and the correlation
difference heatmap with its numbers. Drawing is done by ``llmsynth.plots.columns``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from llmsynth.evals.columns import Kind, column_kinds, frequencies
from llmsynth.evals.report_page import chip, esc, image, table
from llmsynth.scaffold.promises import CorrelationPromise

if TYPE_CHECKING:
    from llmsynth.evals.report import EvalReport

MAX_PICTURES = 40  # wider tables get cards with scores only: drawing costs ~50 ms a picture
MAX_CORRELATED = 20
ANNOTATE_UP_TO = 12
TOP_VALUES = 8


def column_sources(report: EvalReport) -> dict[str, str]:
    """Column -> what made it (``truncnormal``, ``expression``, ``llm: profile``), from the spec."""
    if report.spec is None:
        return {}
    out: dict[str, str] = {}
    for column in report.spec.columns:
        kind = str(getattr(column, "kind", ""))
        group = getattr(column, "name", None)
        label = f"llm: {group}" if kind == "llm" and group else kind
        for name in column.output_names():
            out[name] = label
    return out


def report_kinds(report: EvalReport) -> dict[str, Kind]:
    """Column kinds as the evals see them, with every LLM string field drawn as text."""
    assert report.data is not None
    schemas = {s.name: s for s in report.spec.column_schemas()} if report.spec is not None else {}
    kinds = column_kinds(report.data, schemas)
    for name, source in column_sources(report).items():
        schema = schemas.get(name)
        if source.startswith("llm") and schema is not None and schema.type == "string" and name in kinds:
            kinds[name] = "text"
    return kinds


def _score_chips(report: EvalReport, name: str) -> list[str]:
    scores = report.scores
    chips = []
    invalid = (scores.get("validity", {}).get("columns") or {}).get(name)
    if invalid:
        chips.append(chip(f"invalid rows {invalid}", "fail", "rows whose value breaks the spec's schema"))
    shape = (scores.get("reference", {}).get("columns") or {}).get(name)
    if shape and shape.get("score") is not None:
        hint = "1 - KS statistic against the reference" if shape["metric"] == "KSComplement" else "1 - TVD"
        chips.append(chip(f"{shape['metric']} {shape['score']:.3f}", "", hint))
    for key, check in (scores.get("spec", {}).get("checks") or {}).items():
        if check.get("columns") != [name] or check.get("passed") is None:
            continue
        state = "pass" if check["passed"] else "fail"
        figure = "KS" if "ks_statistic" in check else "TVD"
        value = check.get("ks_statistic", check.get("tvd"))
        text = f"spec {figure} {value:.3f}" if value is not None else "spec check"
        if check.get("p_value") is not None:
            text += f" · p {check['p_value']:.2g}"
        chips.append(chip(f"{text} · {state}", state, f"{key}: {check.get('test', '')}"))
    diversity = (scores.get("diversity", {}).get("columns") or {}).get(name)
    if diversity and diversity.get("n"):
        chips.append(chip(f"distinct {diversity['distinct']} of {diversity['n']}"))
        if diversity.get("entropy") is not None:
            chips.append(chip(f"entropy {diversity['entropy']:.2f}", "", "normalised: 1 = evenly spread"))
        chips.append(chip(f"top share {diversity['top_share']:.2f}", "", f"most common: {diversity['top_value']}"))
    return chips


def _top_values(data: pd.Series, reference: pd.Series | None) -> str:
    counts = data.dropna().astype(str).value_counts()
    total = max(int(counts.sum()), 1)
    real = frequencies(reference) if reference is not None else None
    rows = []
    for value, count in counts.head(TOP_VALUES).items():
        row: list[Any] = [value, int(count), count / total]
        if real is not None:
            row.append(real.get(str(value), 0.0))
        rows.append(row)
    header = ["most frequent", "rows", "share", *(["ref share"] if real is not None else [])]
    return table(header, rows)


def _id_like(values: pd.Series) -> bool:
    text = values.dropna().astype(str)
    return len(text) > 1 and text.nunique() == len(text) and text.str.len().nunique() == 1


def _picture(report: EvalReport, name: str, kind: Kind, reference: pd.Series | None) -> str | None:
    from llmsynth.plots import columns as draw
    from llmsynth.plots.canvas import new_figure, png_base64

    assert report.data is not None
    series = report.data[name]
    if series.dropna().empty:
        return None
    figure = new_figure(4.4, 2.7, layout=None)
    # fixed margins instead of a layout pass: category labels need room on the left
    left = 0.24 if kind == "categorical" else 0.13
    figure.subplots_adjust(left=left, right=0.97, bottom=0.17, top=0.96)
    axes = figure.add_subplot()
    if kind == "numeric":
        draw.numeric_column(axes, name, series, reference, report.promises)
    elif kind == "datetime":
        draw.datetime_column(axes, series, reference)
    elif kind == "text":
        draw.text_lengths(axes, series, reference)
    else:
        declared = draw.declared_shares(report.promises, name)
        other, label = (frequencies(reference), "reference") if reference is not None else (declared, "declared")
        draw.category_column(axes, frequencies(series), other, label)
    return png_base64(figure, dpi=90)


def column_cards(report: EvalReport) -> str:
    """Every column: its name, what made it, its scores as chips, and its picture."""
    assert report.data is not None
    kinds, sources = report_kinds(report), column_sources(report)
    ref = report.reference
    cards = []
    for index, (name, kind) in enumerate(kinds.items()):
        reference = ref[name] if ref is not None and name in ref.columns else None
        parts = [f"<h3>{esc(name)}</h3>",
                 f'<div class="kind">{esc(kind)}' + (f" · {esc(sources[name])}" if name in sources else "") + "</div>"]
        chips = _score_chips(report, name)
        if chips:
            parts.append(f'<div class="chips">{"".join(chips)}</div>')
        if kind == "text" and _id_like(report.data[name]):
            count = report.data[name].notna().sum()
            parts.append(f'<p class="note">all {count} values distinct, one length: an id</p>')
        elif index >= MAX_PICTURES:
            parts.append(f'<p class="note">not drawn: the report draws the first {MAX_PICTURES} columns</p>')
        else:
            picture = _picture(report, name, kind, reference)
            parts.append(image(picture, f"{name}: synthetic vs reference or declared") if picture else
                         '<p class="note">no values</p>')
            if kind == "text":
                parts.append(_top_values(report.data[name], reference))
        cards.append(f'<article class="col" id="col-{esc(name)}">{"".join(parts)}</article>')
    return f'<div class="columns">{"".join(cards)}</div>'


def _matrix(frame: pd.DataFrame, names: list[str], method: str = "pearson") -> np.ndarray:
    numbers = pd.DataFrame({n: pd.to_numeric(frame[n], errors="coerce") for n in names}).astype(float)
    return np.asarray(numbers.corr(method=method).to_numpy())


def correlation_view(report: EvalReport) -> tuple[list[str], np.ndarray, np.ndarray | None, str] | None:
    """(columns, synthetic matrix, matrix compared with or None, what it is compared with), or None
    when fewer than two numeric columns exist."""
    assert report.data is not None
    sources = column_sources(report)
    names = [n for n, k in report_kinds(report).items() if k == "numeric" and sources.get(n) != "id"]
    ref = report.reference
    shared = [n for n in names if ref is not None and n in ref.columns]
    if ref is not None and len(shared) >= 2:
        names = shared[:MAX_CORRELATED]
        return names, _matrix(report.data, names), _matrix(ref, names), "reference"
    for promise in report.promises:
        if isinstance(promise, CorrelationPromise) and set(promise.columns) <= set(names):
            columns = list(promise.columns)[:MAX_CORRELATED]
            requested = np.asarray(promise.matrix, dtype=float)[: len(columns), : len(columns)]
            # copulas promise Spearman correlation: compare like with like
            return columns, _matrix(report.data, columns, promise.method), requested, f"requested ({promise.method})"
    if len(names) < 2:
        return None
    names = names[:MAX_CORRELATED]
    return names, _matrix(report.data, names), None, ""


def correlation_section(report: EvalReport) -> str | None:
    """The correlation-difference heatmap (numbers in the cells) and every pair in a sortable table."""
    from llmsynth.plots.canvas import new_figure, png_base64
    from llmsynth.plots.columns import correlation_difference

    view = correlation_view(report)
    if view is None:
        return None
    names, synthetic, other, against = view
    size = min(9.0, 2.2 + 0.55 * len(names))
    figure = new_figure(size + 1.0, size)
    annotate = len(names) <= ANNOTATE_UP_TO
    if other is None:
        title = "synthetic correlation"
        correlation_difference(figure, names, synthetic, title, annotate)
        note = "Pearson correlation of the numeric columns (no reference table or declared matrix to compare with)."
    else:
        title = f"synthetic − {against}"
        difference = synthetic - other
        np.fill_diagonal(difference, np.nan)  # always 0: left blank so the real cells stand out
        correlation_difference(figure, names, difference, title, annotate)
        note = f"Correlation difference, synthetic − {against}: 0 means the same; each cell gives the number."
    rows = []
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            row: list[Any] = [f"{names[i]} | {names[j]}", _num(synthetic[i, j])]
            if other is not None:
                row += [_num(other[i, j]), _num(synthetic[i, j] - other[i, j])]
            rows.append(row)
    header = ["pair", "synthetic r", *([f"{against} r", "difference"] if other is not None else [])]
    return (f'<p class="note">{esc(note)}</p>' + image(png_base64(figure, dpi=90), title) + table(header, rows))


def _num(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def reason_picture(counts: Mapping[str, int]) -> str:
    """Bar chart of reject reasons as an embedded PNG, so the report shows why rows failed at a glance."""
    from llmsynth.plots.canvas import new_figure, png_base64
    from llmsynth.plots.columns import reason_bars

    figure = new_figure(6.0, 0.32 * min(len(counts), 15) + 1.0)
    reason_bars(figure.add_subplot(), counts)
    return image(png_base64(figure, dpi=90), "rows by reason")
