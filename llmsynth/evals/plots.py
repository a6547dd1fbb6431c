"""Plots for the HTML report, drawn with matplotlib's Agg canvas and returned as base64 PNG.

Figures are built with ``matplotlib.figure.Figure`` directly (no pyplot), so no global state or
GUI backend is touched and nothing leaks between reports.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from llmsynth.evals.columns import as_numeric, column_kinds, frequencies
from llmsynth.scaffold.promises import CategoricalPromise, DistributionPromise, Promise

MAX_PLOTS = 12
MAX_CATEGORIES = 25
SYNTH, REAL, DECLARED = "#3b6fb6", "#e08a2c", "#333333"

Plot = tuple[str, str]  # (title, base64 PNG)


def _png(figure: Any) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(width: float = 4.8, height: float = 3.2) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def histograms(data: pd.DataFrame, reference: pd.DataFrame | None, promises: list[Promise]) -> list[Plot]:
    """Synthetic vs reference histograms per numeric column, or vs the declared pdf/pmf without one."""
    declared = {p.column: p for p in promises if isinstance(p, DistributionPromise)}
    kinds = column_kinds(data)
    plots: list[Plot] = []
    for name, kind in kinds.items():
        if kind != "numeric" or len(plots) >= MAX_PLOTS:
            continue
        synth = as_numeric(data[name], kind).dropna().to_numpy()
        if synth.size == 0:
            continue
        real = None
        if reference is not None and name in reference.columns:
            real = as_numeric(reference[name], kind).dropna().to_numpy()
        both = synth if real is None or real.size == 0 else np.concatenate([synth, real])
        edges = np.histogram_bin_edges(both, bins=30)
        figure = _figure()
        axes = figure.add_subplot()
        axes.hist(synth, bins=edges, density=True, alpha=0.55, color=SYNTH, label="synthetic")
        if real is not None and real.size:
            axes.hist(real, bins=edges, density=True, alpha=0.45, color=REAL, label="reference")
        elif name in declared:
            _draw_declared(axes, declared[name], edges)
        axes.set_title(name)
        axes.legend(fontsize=8)
        plots.append((name, _png(figure)))
    return plots


def _draw_declared(axes: Any, promise: DistributionPromise, edges: np.ndarray) -> None:
    from llmsynth.evals.promise_checks import frozen_distribution, is_discrete

    try:
        frozen = frozen_distribution(promise)
    except ValueError:
        return
    if is_discrete(promise, frozen):
        support = np.arange(np.floor(edges[0]), np.ceil(edges[-1]) + 1)
        # the histogram's density spreads each integer's mass over one bin width
        width = edges[1] - edges[0]
        axes.plot(support, frozen.pmf(support) / max(width, 1.0), "o", color=DECLARED, ms=3, label="declared pmf")
    else:
        grid = np.linspace(edges[0], edges[-1], 200)
        axes.plot(grid, frozen.pdf(grid), color=DECLARED, lw=1.5, label=f"declared {promise.dist}")


def category_bars(data: pd.DataFrame, reference: pd.DataFrame | None, promises: list[Promise]) -> list[Plot]:
    """Grouped bars of category shares: synthetic vs reference, or vs the declared weights."""
    declared = {p.column: p.weights for p in promises if isinstance(p, CategoricalPromise)}
    plots: list[Plot] = []
    for name, kind in column_kinds(data).items():
        if kind != "categorical" or len(plots) >= MAX_PLOTS:
            continue
        synth = frequencies(data[name])
        other: Mapping[str, float] | None = None
        label = ""
        if reference is not None and name in reference.columns:
            other, label = frequencies(reference[name]), "reference"
        elif name in declared:
            total = sum(declared[name].values())
            other, label = {str(k): v / total for k, v in declared[name].items()}, "declared"
        labels = sorted(set(synth) | set(other or {}), key=lambda k: -max(synth.get(k, 0), (other or {}).get(k, 0)))
        labels = labels[:MAX_CATEGORIES]
        if not labels:
            continue
        figure = _figure(max(4.8, 0.35 * len(labels) + 2))
        axes = figure.add_subplot()
        x = np.arange(len(labels))
        width = 0.4 if other is not None else 0.8
        axes.bar(
            x - (width / 2 if other is not None else 0),
            [synth.get(k, 0) for k in labels],
            width,
            color=SYNTH,
            label="synthetic",
        )
        if other is not None:
            axes.bar(
                x + width / 2,
                [other.get(k, 0) for k in labels],
                width,
                color=REAL if label == "reference" else DECLARED,
                label=label,
            )
        axes.set_xticks(x, [k[:18] for k in labels], rotation=45, ha="right", fontsize=8)
        axes.set_ylabel("share")
        axes.set_title(name)
        axes.legend(fontsize=8)
        plots.append((name, _png(figure)))
    return plots


def correlation_heatmaps(data: pd.DataFrame, reference: pd.DataFrame | None) -> list[Plot]:
    """Pearson correlation of the numeric columns, synthetic and reference side by side."""
    numeric = [n for n, k in column_kinds(data).items() if k == "numeric"][:20]
    if reference is not None:
        numeric = [n for n in numeric if n in reference.columns]
    if len(numeric) < 2:
        return []
    tables = [("synthetic", data)] + ([("reference", reference)] if reference is not None else [])
    figure = _figure(4.2 * len(tables) + 0.8, 3.8)
    image = None
    for index, (title, frame) in enumerate(tables, start=1):
        matrix = frame[numeric].apply(pd.to_numeric, errors="coerce").corr().to_numpy()
        axes = figure.add_subplot(1, len(tables), index)
        image = axes.imshow(matrix, vmin=-1, vmax=1, cmap="RdBu_r")
        axes.set_xticks(range(len(numeric)), [n[:12] for n in numeric], rotation=45, ha="right", fontsize=7)
        axes.set_yticks(range(len(numeric)), [n[:12] for n in numeric], fontsize=7)
        axes.set_title(title)
    if image is not None:
        figure.colorbar(image, ax=figure.axes, shrink=0.8)
    return [("correlations", _png(figure))]


def reason_bars(counts: Mapping[str, int], title: str) -> list[Plot]:
    """Horizontal bars of reasons (invalid rows, run rejects), the commonest first."""
    items = sorted(counts.items(), key=lambda kv: -kv[1])[:15]
    if not items:
        return []
    figure = _figure(6.4, 0.35 * len(items) + 1.2)
    axes = figure.add_subplot()
    axes.barh([k[:50] for k, _ in reversed(items)], [v for _, v in reversed(items)], color=SYNTH)
    axes.set_xlabel("rows")
    axes.set_title(title)
    return [(title, _png(figure))]
