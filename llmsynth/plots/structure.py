"""Pictures of structured tables: a graph drawn from its edge list, a time series as a line, parts
of a fixed total as stacked bars, a decision tree's labels, category shares, and the table itself."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from llmsynth.errors import InputDataError
from llmsynth.plots.canvas import DECLARED, PALETTE, REAL, SYNTH
from llmsynth.plots.numeric import values

if TYPE_CHECKING:  # matplotlib is imported only when something is drawn
    from matplotlib.figure import Figure

if TYPE_CHECKING:
    from llmsynth.plots.choose import Picture
    from llmsynth.plots.render import PlotContext

HEAD_ROWS = 10
STACKED_ROWS = 20
MAX_CATEGORIES = 20


def graph(figure: Figure, picture: Picture, ctx: PlotContext) -> None:
    """An edge list drawn as a graph."""
    import networkx as nx

    source, target = picture.columns[:2]
    edges = list(zip(ctx.data[source].tolist(), ctx.data[target].tolist(), strict=True))
    g = nx.Graph()
    nodes = picture.options.get("nodes")
    # isolated nodes have no row in an edge list; the spec's node count brings them back
    g.add_nodes_from(range(int(nodes)) if nodes is not None else [])
    g.add_edges_from(edges)
    position = nx.circular_layout(g) if g.number_of_nodes() <= 30 else nx.spring_layout(g, seed=0)
    axes = figure.add_subplot()
    for a, b in g.edges():
        (x0, y0), (x1, y1) = position[a], position[b]
        axes.plot([x0, x1], [y0, y1], color="#8a8a8a", linewidth=1.2, zorder=1)
    xy = np.array([position[n] for n in g.nodes()])
    degrees = np.array([g.degree(n) for n in g.nodes()])
    axes.scatter(xy[:, 0], xy[:, 1], s=380, c=degrees, cmap="Blues", vmin=-2, edgecolors=DECLARED, zorder=2)
    if g.number_of_nodes() <= 60:
        for node, (x, y) in zip(g.nodes(), xy, strict=True):
            axes.text(x, y, str(node), ha="center", va="center", fontsize=8, zorder=3)
    axes.set_title(f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges")
    axes.set_aspect("equal")
    axes.axis("off")


def series(figure: Figure, picture: Picture, ctx: PlotContext) -> None:
    """A time series as a line per series."""
    column = picture.columns[0]
    values(ctx.data, column)
    time, group = picture.options.get("time"), picture.options.get("group")
    axes = figure.add_subplot()
    groups = ctx.data.groupby(group, sort=True) if group else [(None, ctx.data)]
    for index, (key, part) in enumerate(groups):
        x = pd.to_datetime(part[time]) if time else np.arange(len(part))
        axes.plot(x, pd.to_numeric(part[column], errors="coerce"), linewidth=1.1,
                  color=PALETTE[index % len(PALETTE)], label=None if key is None else f"{group} {key}")
    axes.axhline(float(pd.to_numeric(ctx.data[column], errors="coerce").mean()), color=DECLARED,
                 linewidth=0.8, linestyle="--")
    axes.set_xlabel(time or "step")
    axes.set_ylabel(column)
    axes.set_title(f"{column}: {len(ctx.data)} points")
    if group:
        axes.legend(fontsize=8)
    if time:
        figure.autofmt_xdate()


def stacked_bars(figure: Figure, picture: Picture, ctx: PlotContext) -> None:
    """Parts of a fixed total as stacked bars of the first rows."""
    head = ctx.data.head(STACKED_ROWS)
    parts = [values(head, c) for c in picture.columns]
    axes = figure.add_subplot()
    bottom = np.zeros(len(head))
    rows = np.arange(len(head))
    for index, (name, part) in enumerate(zip(picture.columns, parts, strict=True)):
        axes.bar(rows, part, bottom=bottom, color=PALETTE[index % len(PALETTE)], label=name, width=0.8)
        bottom = bottom + part
    total = picture.options.get("total")
    if total and total in head.columns:
        axes.plot(rows, values(head, total), "_", color=DECLARED, markersize=14, markeredgewidth=2,
                  label=total)
    axes.set_xticks(rows, [str(r) for r in rows], fontsize=7)
    axes.set_xlabel(f"row (first {len(head)} of {len(ctx.data)})")
    axes.set_ylabel("value")
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))


def draw_table(axes: Any, frame: pd.DataFrame, title: str) -> None:
    """The first rows of a table, drawn with numbers shortened and long text cut."""
    cells = [[_cell(v) for v in row] for row in frame.itertuples(index=False)]
    axes.axis("off")
    table = axes.table(cellText=cells, colLabels=[str(c) for c in frame.columns], loc="upper center",
                       cellLoc="left")
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    table.auto_set_column_width(list(range(len(frame.columns))))
    for (row, _), cell in table.get_celld().items():
        if row == 0:
            cell.set_facecolor("#dde5f0")
    axes.set_title(title)


def _cell(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return f"{value:.4g}"
    text = str(value)
    return text if len(text) <= 32 else text[:31] + "…"


def table(figure: Figure, picture: Picture, ctx: PlotContext) -> None:
    """The first rows drawn as a table (mixed and text tables read best as rows)."""
    head = ctx.data[list(picture.columns)].head(HEAD_ROWS)
    draw_table(figure.add_subplot(), head, f"first {len(head)} of {len(ctx.data)} rows")


def bars(figure: Figure, picture: Picture, ctx: PlotContext) -> None:
    """Bar charts of the shares of each categorical column."""
    shown = picture.columns[:4]
    for index, column in enumerate(shown):
        axes = figure.add_subplot(1, len(shown), index + 1)
        shares = ctx.data[column].astype(str).value_counts(normalize=True).head(MAX_CATEGORIES)
        axes.barh(shares.index[::-1], shares.to_numpy()[::-1], color=SYNTH)
        reference = ctx.reference
        if reference is not None and column in reference.columns:
            real = reference[column].astype(str).value_counts(normalize=True).reindex(shares.index).fillna(0)
            axes.plot(real.to_numpy()[::-1], range(len(real)), "o", color=REAL, label="reference")
            axes.legend(fontsize=8)
        axes.set_title(column)
        axes.set_xlabel("share")


def tree(figure: Figure, picture: Picture, ctx: PlotContext) -> None:
    """Left: the table head. Right: label-1 rate per feature cell, synthetic vs the tree's leaf."""
    *features, label = picture.columns
    head_axes, rate_axes = figure.subplots(1, 2, width_ratios=[1, 2])
    draw_table(head_axes, ctx.data[list(picture.columns)].head(HEAD_ROWS), f"first rows of {len(ctx.data)}")
    data = ctx.data.assign(**{label: ctx.data[label].astype(str)})
    cells = data.groupby(features, sort=True)
    positive = sorted(data[label].unique())[-1]
    names, rates, leaf = [], [], []
    probabilities = ctx.tree_probabilities(label)
    for key, part in cells:
        key = key if isinstance(key, tuple) else (key,)
        names.append(", ".join(f"{f}={v}" for f, v in zip(features, key, strict=True)))
        rates.append(float((part[label] == positive).mean()))
        leaf.append(probabilities(dict(zip(features, key, strict=True)), positive) if probabilities else None)
    if not names:
        raise InputDataError("the table has no rows to group by the tree's features")
    positions = np.arange(len(names))
    counts = cells.size().to_numpy()
    rate_axes.bar(positions, rates, color=SYNTH, width=0.6, label=f"synthetic share of {label}={positive}")
    if probabilities:
        rate_axes.plot(positions, leaf, "D", color=DECLARED, markersize=8, label="tree leaf probability")
    for x, count in enumerate(counts):
        rate_axes.text(x, 0.02, f"n={count}", ha="center", fontsize=7, color="white")
    rate_axes.set_xticks(positions, names, rotation=20, ha="right", fontsize=8)
    rate_axes.set_ylim(0, 1.1)
    rate_axes.set_ylabel(f"P({label}={positive})")
    rate_axes.legend(fontsize=8, loc="upper left")
