"""Pictures of numeric columns: histograms (with the declared density), overlaid densities,
scatter plots (equal axes, fitted line, side by side with a reference) and correlation heatmaps."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from llmsynth.errors import InputDataError
from llmsynth.plots.canvas import DECLARED, REAL, SYNTH
from llmsynth.scaffold.promises import CorrelationPromise, DistributionPromise, Promise, TabulatedPromise

if TYPE_CHECKING:  # matplotlib is imported only when something is drawn
    from matplotlib.figure import Figure

if TYPE_CHECKING:
    from llmsynth.plots.choose import Picture
    from llmsynth.plots.render import PlotContext

BINS = 30


def values(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Finite numbers of one column; a column with none is an input error naming it."""
    if column not in frame.columns:
        names = ", ".join(map(str, frame.columns))
        raise InputDataError(f"column '{column}' is not in the table; columns: {names}")
    numbers = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    numbers = numbers[np.isfinite(numbers)]
    if numbers.size == 0:
        raise InputDataError(f"column '{column}' has no numeric values to plot")
    return np.asarray(numbers)


def _declared_law(promises: Sequence[Promise], column: str) -> tuple[DistributionPromise, Any] | None:
    """The column's distribution promise and its frozen scipy law (None when it promises none)."""
    from llmsynth.evals.promise_checks import frozen_distribution

    for promise in promises:
        if isinstance(promise, DistributionPromise) and promise.column == column:
            try:
                return promise, frozen_distribution(promise)
            except ValueError:
                return None
    return None


def declared_density(promises: Sequence[Promise], column: str, grid: np.ndarray) -> np.ndarray | None:
    """The density the spec promises for a column on ``grid``, renormalised to its truncation bounds
    (None when it promises no continuous law). Rounded or clipped values are drawn against the law
    they were drawn from."""
    from llmsynth.evals.promise_checks import is_discrete

    for promise in promises:
        if isinstance(promise, TabulatedPromise) and promise.column == column:
            xs, cdf = np.asarray(promise.xs), np.asarray(promise.cdf)
            return np.asarray(np.interp(grid, xs, np.gradient(cdf, xs), left=0.0, right=0.0))
    found = _declared_law(promises, column)
    if found is None or is_discrete(*found):
        return None
    promise, frozen = found
    if promise.rounded:
        return None
    return np.asarray(frozen.pdf(grid), dtype=float)  # truncated to the bounds by the frozen law itself


def declared_pmf(promises: Sequence[Promise], column: str, support: np.ndarray) -> np.ndarray | None:
    """Probabilities the spec promises for integer values ``support``, renormalised to its truncation
    bounds (None when the column has no discrete law)."""
    from llmsynth.evals.promise_checks import is_discrete

    found = _declared_law(promises, column)
    if found is None or not is_discrete(*found):
        return None
    _, frozen = found
    return np.asarray(frozen.pmf(support), dtype=float)  # truncated to the bounds by the frozen law itself


def integer_bins(values: np.ndarray, most: int = 60) -> np.ndarray | None:
    """Bin edges centred on each integer when the values are integers over a short range, so a
    histogram's density is each value's share and lines up with a pmf; else None."""
    if values.size == 0 or not np.allclose(values, np.round(values)):
        return None
    low, high = float(np.min(values)), float(np.max(values))
    if high - low > most:
        return None
    return np.arange(low - 0.5, high + 1.5)


def histogram(figure: Figure, picture: Picture, ctx: PlotContext) -> None:
    """One numeric column: density histogram with the declared density when the spec gives one."""
    column = picture.columns[0]
    data = values(ctx.data, column)
    axes = figure.add_subplot()
    draw_declared_histogram(axes, data, ctx.promises, column)
    axes.set_xlabel(column)
    axes.set_ylabel("density")
    axes.set_title(f"{column}: mean {data.mean():.3g}, sd {data.std(ddof=1):.3g}")
    axes.legend(fontsize=8)


def draw_declared_histogram(axes: Any, data: np.ndarray, promises: Sequence[Promise], column: str) -> None:
    """A density histogram of ``data`` with the declared density (or pmf, on integer-centred bins)."""
    edges = integer_bins(data)
    support = None if edges is None else (edges[:-1] + 0.5)
    pmf = None if support is None else declared_pmf(promises, column, support)
    bins = edges if edges is not None else BINS  # integers on a short range: one bar per value, no aliasing
    _, drawn, _ = axes.hist(data, bins=bins, density=True, color=SYNTH, alpha=0.7, edgecolor="white",
                            label=f"synthetic (n={data.size})")
    if pmf is not None and support is not None:
        axes.plot(support, pmf, "o", color=DECLARED, markersize=4, label="declared pmf")
        return
    grid = np.linspace(drawn[0], drawn[-1], 400)
    pdf = declared_density(promises, column, grid)
    if pdf is not None:
        axes.plot(grid, pdf, color=DECLARED, linewidth=1.8, label="declared density")


def overlay(figure: Figure, picture: Picture, ctx: PlotContext) -> None:
    """One numeric column against the reference: overlaid density histograms on shared bins."""
    column = picture.columns[0]
    real = values(ctx.require_reference(picture), column)
    data = values(ctx.data, column)
    edges = np.histogram_bin_edges(np.concatenate([real, data]), bins=BINS).tolist()
    axes = figure.add_subplot()
    axes.hist(real, bins=edges, density=True, color=REAL, alpha=0.5, label=f"reference (n={real.size})")
    axes.hist(data, bins=edges, density=True, color=SYNTH, alpha=0.5, label=f"synthetic (n={data.size})")
    axes.set_xlabel(column)
    axes.set_ylabel("density")
    axes.set_title(f"{column}: reference mean {real.mean():.3g}, synthetic mean {data.mean():.3g}")
    axes.legend(fontsize=8)


def _scatter(axes: Any, x: np.ndarray, y: np.ndarray, color: str, label: str) -> None:
    axes.scatter(x, y, s=10, alpha=0.6, color=color, edgecolors="none", label=label)


def _pairs(frame: pd.DataFrame, picture: Picture) -> tuple[np.ndarray, np.ndarray]:
    x_name, y_name = picture.columns[:2]
    for name in (x_name, y_name):
        values(frame, name)  # the same clear error for a missing or non-numeric column
    both = frame[[x_name, y_name]].apply(pd.to_numeric, errors="coerce").dropna().to_numpy(dtype=float)
    return both[:, 0], both[:, 1]


def scatter(figure: Figure, picture: Picture, ctx: PlotContext) -> None:
    """Two numeric columns: scatter plot (equal axes for a jointly normal pair)."""
    x, y = _pairs(ctx.data, picture)
    axes = figure.add_subplot()
    _scatter(axes, x, y, SYNTH, f"synthetic (n={x.size})")
    r = float(np.corrcoef(x, y)[0, 1]) if x.size > 1 else float("nan")
    axes.set_title(f"correlation {r:.3f}")
    axes.set_xlabel(picture.columns[0])
    axes.set_ylabel(picture.columns[1])
    if picture.options.get("equal_axes"):
        axes.set_aspect("equal", adjustable="datalim")


def fit(figure: Figure, picture: Picture, ctx: PlotContext) -> None:
    """A column computed from another: scatter with the least-squares line and its equation."""
    x, y = _pairs(ctx.data, picture)
    if x.size < 3:
        raise InputDataError("a fitted line needs at least 3 rows")
    slope, intercept = np.polyfit(x, y, 1)
    residual_sd = float(np.std(y - (slope * x + intercept), ddof=2))
    axes = figure.add_subplot()
    _scatter(axes, x, y, SYNTH, f"synthetic (n={x.size})")
    line = np.array([x.min(), x.max()])
    axes.plot(line, slope * line + intercept, color=DECLARED, linewidth=1.8,
              label=f"fit: {picture.columns[1]} = {slope:.3f} * {picture.columns[0]} + {intercept:.2f}")
    axes.set_title(f"slope {slope:.3f}, residual sd {residual_sd:.3f}")
    axes.set_xlabel(picture.columns[0])
    axes.set_ylabel(picture.columns[1])
    axes.legend(fontsize=8)


def side_by_side(figure: Figure, picture: Picture, ctx: PlotContext) -> None:
    """Reference and synthetic scatter plots side by side on shared axes."""
    real_x, real_y = _pairs(ctx.require_reference(picture), picture)
    x, y = _pairs(ctx.data, picture)
    left, right = figure.subplots(1, 2, sharex=True, sharey=True)
    _scatter(left, real_x, real_y, REAL, "reference")
    _scatter(right, x, y, SYNTH, "synthetic")
    left.set_title(f"reference (n={real_x.size})")
    right.set_title(f"synthetic (n={x.size})")
    for axes in (left, right):
        axes.set_xlabel(picture.columns[0])
    left.set_ylabel(picture.columns[1])


def _requested(ctx: PlotContext, columns: tuple[str, ...]) -> np.ndarray | None:
    for promise in ctx.promises:
        if isinstance(promise, CorrelationPromise) and set(columns) <= set(promise.columns):
            index = [promise.columns.index(c) for c in columns]
            return np.asarray(promise.matrix, dtype=float)[np.ix_(index, index)]
    return None


def _heatmap(figure: Figure, axes: Any, matrix: np.ndarray, names: tuple[str, ...], title: str) -> Any:
    image = axes.imshow(matrix, vmin=-1, vmax=1, cmap="RdBu_r")
    axes.set_xticks(range(len(names)), names, rotation=45, ha="right")
    axes.set_yticks(range(len(names)), names)
    if len(names) <= 8:
        for (i, j), value in np.ndenumerate(matrix):
            axes.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=8,
                      color="white" if abs(value) > 0.6 else "black")
    axes.set_title(title)
    return image


def correlation(figure: Figure, picture: Picture, ctx: PlotContext) -> None:
    """Requested and achieved correlation heatmaps (achieved only, without a spec)."""
    names = picture.columns
    frame = pd.DataFrame({n: pd.to_numeric(ctx.data[n], errors="coerce") for n in names}).dropna()
    if len(frame) < 3:
        raise InputDataError("a correlation heatmap needs at least 3 complete rows")
    achieved = frame.corr().to_numpy()
    requested = _requested(ctx, names)
    if requested is None:
        title = f"achieved correlation (n={len(frame)})"
        image = _heatmap(figure, figure.add_subplot(), achieved, names, title)
    else:
        left, right = figure.subplots(1, 2)
        _heatmap(figure, left, requested, names, "requested")
        worst = float(np.abs(achieved - requested).max())
        image = _heatmap(figure, right, achieved, names, f"achieved (n={len(frame)}, max error {worst:.3f})")
    figure.colorbar(image, ax=figure.axes, shrink=0.8)
