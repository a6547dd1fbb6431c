"""One picture per column, as the eval report shows them next to that column's scores: numbers as
synthetic vs reference (or declared) densities, categories as bar pairs, free text as length
histograms, dates over time; and the correlation-difference heatmap with its numbers.

Declared laws come from ``llmsynth.plots.numeric`` (the same frozen distribution, truncation included,
that ``llmsynth plot`` draws), so a report and a picture never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from llmsynth.plots.canvas import DECLARED, REAL, SYNTH
from llmsynth.plots.numeric import BINS, draw_declared_histogram, integer_bins
from llmsynth.scaffold.promises import CategoricalPromise, DistributionPromise, Promise

if TYPE_CHECKING:  # matplotlib is imported only when something is drawn
    from matplotlib.figure import Figure

MAX_BARS = 15
LABEL_CHARS = 22


def _numbers(series: pd.Series) -> np.ndarray:
    numbers = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.asarray(numbers[np.isfinite(numbers)])


def numeric_column(
    axes: Any, name: str, data: pd.Series, reference: pd.Series | None, promises: Sequence[Promise]
) -> None:
    """Synthetic density histogram against the reference's (outlined) or the declared law."""
    synth = _numbers(data)
    real = _numbers(reference) if reference is not None else None
    if real is None or real.size == 0:
        draw_declared_histogram(axes, synth, promises, name)
    else:
        both = np.concatenate([synth, real])
        edges = integer_bins(both)
        bins = edges if edges is not None else np.histogram_bin_edges(both, bins=BINS)
        axes.hist(synth, bins=bins, density=True, color=SYNTH, alpha=0.6, label=f"synthetic (n={synth.size})")
        axes.hist(real, bins=bins, density=True, histtype="step", color=REAL, linewidth=1.8,
                  label=f"reference (n={real.size})")
    axes.set_ylabel("density")
    axes.legend(fontsize=7)


def datetime_column(axes: Any, data: pd.Series, reference: pd.Series | None) -> None:
    """Dates and times as density histograms over time, against the reference when there is one."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num

    def stamps(series: pd.Series) -> np.ndarray:
        parsed = pd.to_datetime(series, errors="coerce").dropna()
        return np.asarray(date2num(parsed.to_numpy(dtype="datetime64[ns]")), dtype=float)

    synth = stamps(data)
    real = stamps(reference) if reference is not None else np.array([])
    bins = np.histogram_bin_edges(np.concatenate([synth, real]), bins=BINS)
    axes.hist(synth, bins=bins, density=True, color=SYNTH, alpha=0.6, label=f"synthetic (n={synth.size})")
    if real.size:
        axes.hist(real, bins=bins, density=True, histtype="step", color=REAL, linewidth=1.8,
                  label=f"reference (n={real.size})")
    locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    axes.set_yticks([])
    axes.legend(fontsize=7)


def declared_shares(promises: Sequence[Promise], column: str) -> dict[str, float] | None:
    """Category shares the spec declares for a column: categorical weights or a Bernoulli p."""
    for promise in promises:
        if isinstance(promise, CategoricalPromise) and promise.column == column:
            total = sum(promise.weights.values())
            return {str(k): v / total for k, v in promise.weights.items()}
        if isinstance(promise, DistributionPromise) and promise.column == column and promise.dist == "bernoulli":
            p = float(promise.params.get("p", 0.5))
            return {"True": p, "False": 1 - p}
    return None


def category_column(
    axes: Any, synthetic: Mapping[str, float], other: Mapping[str, float] | None, other_label: str
) -> None:
    """Horizontal bar pairs of category shares, the largest first (labels stay readable on a phone)."""
    labels = sorted(set(synthetic) | set(other or {}),
                    key=lambda k: -max(synthetic.get(k, 0.0), (other or {}).get(k, 0.0)))
    hidden = max(0, len(labels) - MAX_BARS)
    labels = labels[:MAX_BARS][::-1]
    y = np.arange(len(labels))
    height = 0.4 if other is not None else 0.8
    axes.barh(y + (height / 2 if other is not None else 0), [synthetic.get(k, 0.0) for k in labels], height,
              color=SYNTH, label="synthetic")
    if other is not None:
        color = REAL if other_label == "reference" else DECLARED
        axes.barh(y - height / 2, [other.get(k, 0.0) for k in labels], height, color=color, label=other_label)
    axes.set_yticks(y, [_short(k) for k in labels], fontsize=8)
    axes.set_xlabel("share" + (f" ({hidden} smaller categories not shown)" if hidden else ""))
    axes.legend(fontsize=7, loc="lower right")


def text_lengths(axes: Any, data: pd.Series, reference: pd.Series | None) -> None:
    """Character lengths of free text: a model that pads, truncates or collapses shows here first."""
    synth = data.dropna().astype(str).str.len().to_numpy(dtype=float)
    real = reference.dropna().astype(str).str.len().to_numpy(dtype=float) if reference is not None else None
    both = synth if real is None else np.concatenate([synth, real])
    edges = integer_bins(both)
    bins = edges if edges is not None else np.histogram_bin_edges(both, bins=BINS)
    axes.hist(synth, bins=bins, color=SYNTH, alpha=0.6, density=True,
              label=f"synthetic (mean {synth.mean():.1f} chars)" if synth.size else "synthetic")
    if real is not None and real.size:
        axes.hist(real, bins=bins, histtype="step", color=REAL, linewidth=1.8, density=True,
                  label=f"reference (mean {real.mean():.1f})")
    axes.set_xlabel("length (characters)")
    axes.set_yticks([])
    axes.legend(fontsize=7)


def correlation_difference(
    figure: Figure, names: Sequence[str], difference: np.ndarray, title: str, annotate: bool = True
) -> None:
    """A heatmap of correlation differences (or of one matrix) with each cell's number written in it."""
    axes = figure.add_subplot()
    limit = 1.0
    image = axes.imshow(difference, vmin=-limit, vmax=limit, cmap="RdBu_r")
    short = [_short(n, 14) for n in names]
    axes.set_xticks(range(len(names)), short, rotation=45, ha="right", fontsize=8)
    axes.set_yticks(range(len(names)), short, fontsize=8)
    if annotate:
        size = 8 if len(names) <= 8 else 6
        for (i, j), value in np.ndenumerate(difference):
            if np.isfinite(value):
                axes.text(j, i, f"{value:+.2f}", ha="center", va="center",
                          fontsize=size, color="white" if abs(value) > 0.6 else "black")
    axes.set_title(title, fontsize=10)
    figure.colorbar(image, ax=axes, shrink=0.8)


def reason_bars(axes: Any, counts: Mapping[str, int]) -> None:
    """Horizontal bars of reasons (invalid rows, run rejects), the commonest on top."""
    items = sorted(counts.items(), key=lambda kv: -kv[1])[:MAX_BARS][::-1]
    axes.barh([_short(k, 48) for k, _ in items], [v for _, v in items], color=SYNTH)
    axes.tick_params(axis="y", labelsize=8)
    axes.set_xlabel("rows")


def _short(label: str, limit: int = LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
