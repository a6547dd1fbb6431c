"""Which picture fits a table: from its spec when there is one (a graph spec is drawn as a graph, an
ARMA spec as a line), else from the column types (one number -> histogram, two -> scatter, ...).

The choice is data (a ``Picture``: name, columns, options), so the CLI can print it and tests can
check it without drawing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from llmsynth.errors import InputDataError
from llmsynth.evals.columns import column_kinds
from llmsynth.registry import PLOTS
from llmsynth.spec import DatasetSpec
from llmsynth.spec.base import ColumnBase
from llmsynth.spec.kinds import (
    ArmaSpec,
    CopulaSpec,
    FixedSumSpec,
    GraphSpec,
    IdSpec,
    MixtureSpec,
    MultivariateNormalSpec,
    TreeSpec,
)
from llmsynth.spec.kinds.expression import ExpressionColumn

PICTURES: dict[str, str] = {
    "histogram": "one numeric column: 30-bin density histogram, with the declared density when known",
    "overlay": "one numeric column against a reference: overlaid density histograms",
    "scatter": "two numeric columns: scatter plot (equal axes for jointly normal pairs)",
    "fit": "a column computed from another: scatter with the least-squares line",
    "side_by_side": "reference and synthetic scatter plots next to each other, on shared axes",
    "correlation": "three or more numeric columns: requested vs achieved correlation heatmaps",
    "stacked_bars": "parts of a fixed total: stacked bars of the first rows",
    "graph": "an edge list: the graph drawn",
    "series": "a time series: line plot",
    "tree": "labels from a decision tree: the table head and label rates per feature cell",
    "bars": "categorical columns: bar chart of value shares",
    "table": "any table (LLM text, mixed types): its first rows drawn as a table",
}


@dataclass(frozen=True)
class Picture:
    """A chosen picture: its ``name`` (a key of PICTURES), the columns it shows, and options."""

    name: str
    columns: tuple[str, ...]
    options: dict[str, Any] = field(default_factory=dict)


def _present(data: pd.DataFrame, names: list[str]) -> bool:
    return all(n in data.columns for n in names)


def from_spec(spec: DatasetSpec, data: pd.DataFrame, reference: pd.DataFrame | None) -> Picture | None:
    """The picture a spec's main technique calls for, or None to fall back on column types."""
    columns: list[ColumnBase] = list(spec.columns)  # the union type hides the shared base
    for column in columns:
        names = column.output_names()
        if isinstance(column, GraphSpec) and column.output == "edges" and _present(data, names):
            return Picture("graph", tuple(names), {"nodes": column.nodes})
    for column in columns:
        if isinstance(column, ArmaSpec) and _present(data, [column.name]):
            options = {"time": column.time_column, "group": column.series_column}
            return Picture("series", (column.name,), options)
        if isinstance(column, FixedSumSpec) and _present(data, column.output_names()):
            return Picture("stacked_bars", tuple(column.columns), {"total": column.output_total})
        if isinstance(column, TreeSpec) and _present(data, [*column.features, column.name]):
            return Picture("tree", (*column.features, column.name))
        if isinstance(column, MixtureSpec) and column.has_data() and _present(data, column.columns[:2]):
            return Picture("side_by_side", tuple(column.columns[:2]))
    if spec.llm_groups():
        return Picture("table", tuple(str(c) for c in data.columns))
    for column in columns:
        if isinstance(column, MultivariateNormalSpec | CopulaSpec) and _present(data, column.output_names()):
            group = tuple(column.output_names())
            if len(group) == 2:
                return Picture("scatter", group, {"equal_axes": isinstance(column, MultivariateNormalSpec)})
            return Picture("correlation", group)
    ids = {c.name for c in columns if isinstance(c, IdSpec)}
    for column in columns:
        if isinstance(column, ExpressionColumn) and column.name in data.columns:
            reads = sorted(column.dependencies())
            # y = f(x) with x a measured quantity (not a row number): a scatter with its fitted line
            if len(reads) == 1 and reads[0] in data.columns and reads[0] not in ids and column_kinds(
                data[[reads[0], column.name]]
            ) == {reads[0]: "numeric", column.name: "numeric"}:
                return Picture("fit", (reads[0], column.name))
    return None


def from_types(data: pd.DataFrame, reference: pd.DataFrame | None) -> Picture:
    """The picture the column types suggest when no spec says more."""
    if data.empty or not len(data.columns):
        raise InputDataError("the table has no rows to plot")
    kinds = column_kinds(data)
    numeric = [c for c, k in kinds.items() if k == "numeric"]
    dates = [c for c, k in kinds.items() if k == "datetime"]
    categorical = [c for c, k in kinds.items() if k == "categorical"]
    if {"source", "target"} <= set(data.columns) and len(data.columns) == 2:
        return Picture("graph", ("source", "target"))
    if "text" in kinds.values() or (categorical and numeric):
        return Picture("table", tuple(kinds))  # mixed tables read best as rows
    if dates and numeric:
        return Picture("series", (numeric[0],), {"time": dates[0]})
    if len(numeric) == 1:
        name = numeric[0]
        if reference is not None and name in reference.columns:
            return Picture("overlay", (name,))
        return Picture("histogram", (name,))
    if len(numeric) == 2:
        return Picture("scatter", tuple(numeric))
    if len(numeric) > 2:
        return Picture("correlation", tuple(numeric))
    if categorical:
        return Picture("bars", tuple(categorical))
    return Picture("table", tuple(kinds))


def choose_picture(
    data: pd.DataFrame, spec: DatasetSpec | None = None, reference: pd.DataFrame | None = None
) -> Picture:
    """The picture a person expects for this table (see PICTURES for what each one shows)."""
    if data.empty:
        raise InputDataError("the table has no rows to plot")
    chosen = from_spec(spec, data, reference) if spec is not None else None
    return chosen or from_types(data, reference)


def check_picture_name(name: str) -> None:
    """An InputDataError with 'did you mean' unless ``name`` is a registered picture."""
    if name not in PLOTS:
        raise InputDataError(PLOTS.unknown(name))


def picture_for_name(
    name: str, data: pd.DataFrame, spec: DatasetSpec | None, reference: pd.DataFrame | None
) -> Picture:
    """A picture asked for by name (``--picture``), with the columns it needs picked from the table."""
    check_picture_name(name)
    chosen = choose_picture(data, spec, reference)
    if chosen.name == name:
        return chosen
    kinds = column_kinds(data)
    numeric = tuple(c for c, k in kinds.items() if k == "numeric")
    if name == "table":
        return Picture(name, tuple(kinds))
    if name == "tree":
        raise InputDataError("picture 'tree' needs a spec with a 'kind: tree' column present in the table")
    if name == "bars":
        return Picture(name, tuple(c for c, k in kinds.items() if k == "categorical") or tuple(kinds))
    needs = {"histogram": 1, "overlay": 1, "scatter": 2, "fit": 2, "side_by_side": 2, "correlation": 2,
             "stacked_bars": 2, "graph": 2, "series": 1}.get(name, 1)
    if len(numeric) < needs:
        raise InputDataError(
            f"picture '{name}' needs {needs} numeric column(s);"
            f" the table has {len(numeric)}: {', '.join(numeric) or 'none'}"
        )
    columns = numeric if name in ("correlation", "stacked_bars") else numeric[:needs]
    return Picture(name, columns, dict(chosen.options) if chosen.columns == columns else {})
