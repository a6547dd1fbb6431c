"""Draw the chosen picture of a table and save it: the entry point of ``llmsynth plot``.

Drawing functions are looked up by picture name in ``llmsynth.registry.PLOTS`` (lazy targets), so
adding a picture is one function and one registry line, and importing this module loads no drawing code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from llmsynth.errors import InputDataError
from llmsynth.plots.canvas import check_output, new_figure, save_figure
from llmsynth.plots.choose import Picture, choose_picture, picture_for_name
from llmsynth.registry import PLOTS
from llmsynth.scaffold.promises import Promise
from llmsynth.spec import DatasetSpec
from llmsynth.spec.base import ColumnBase
from llmsynth.spec.kinds import MixtureSpec, TreeSpec

if TYPE_CHECKING:  # matplotlib is imported only when something is drawn
    from matplotlib.figure import Figure

# figure size (inches) per picture; the rest use the default
SIZES: dict[str, tuple[float, float]] = {
    "side_by_side": (9.0, 4.4), "correlation": (9.0, 4.2), "tree": (10.0, 4.2), "table": (9.0, 3.6),
    "series": (8.0, 3.6), "graph": (5.2, 5.2), "scatter": (5.4, 5.0),
}


@dataclass
class PlotContext:
    """What a drawing function may read: the table, its spec, a reference table, the spec's promises."""

    data: pd.DataFrame
    spec: DatasetSpec | None = None
    reference: pd.DataFrame | None = None
    samplers: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def promises(self) -> list[Promise]:
        """The spec's promises (declared laws, correlations), computed once per context."""
        if self.spec is None:
            return []
        from llmsynth.evals.spec_fidelity import collect_promises

        return collect_promises(self.spec)[0]

    def require_reference(self, picture: Picture) -> pd.DataFrame:
        """The reference table, or a clear error naming the picture that needs one."""
        if self.reference is None:
            raise InputDataError(
                f"picture '{picture.name}' compares with a reference table: pass --reference or give the spec"
                " a 'reference:' (or a mixture with sample data)"
            )
        return self.reference

    def tree_probabilities(self, label: str) -> Callable[[dict[str, Any], str], float] | None:
        """P(label = positive | features) from the spec's fitted tree, or None without the spec."""
        if self.spec is None:
            return None
        columns: list[ColumnBase] = list(self.spec.columns)
        column = next((c for c in columns if isinstance(c, TreeSpec) and c.name == label), None)
        if column is None:
            return None
        from llmsynth.scaffold.registry import build_sampler

        sampler = self.samplers.setdefault(label, build_sampler(column, self.spec))

        def probability(cell: dict[str, Any], positive: str) -> float:
            proba = sampler.probabilities(pd.DataFrame([cell])[column.features])[0]
            classes = [str(c) for c in sampler.classes_]
            return float(proba[classes.index(positive)]) if positive in classes else 0.0

        return probability


# a drawing function: it fills ``figure`` (a matplotlib Figure) with ``picture`` of the context's table
Draw = Callable[["Figure", Picture, PlotContext], None]


def spec_reference(spec: DatasetSpec) -> pd.DataFrame | None:
    """The table a spec compares with: its ``reference:`` file, else a mixture's sample data."""
    from llmsynth.io import read_table

    columns: list[ColumnBase] = list(spec.columns)
    for column in columns:
        if isinstance(column, MixtureSpec) and column.rows is not None:
            return pd.DataFrame(column.rows)
    candidates = [spec.reference] + [c.file for c in columns if isinstance(c, MixtureSpec)]
    for name in candidates:
        if name and spec.resolve_path(name).exists():
            return read_table(spec.resolve_path(name))
    return None


def draw_function(name: str) -> Draw:
    """The drawing function registered for picture ``name``."""
    return PLOTS.get(name)


def plot_table(
    data: pd.DataFrame,
    spec: DatasetSpec | None = None,
    reference: pd.DataFrame | None = None,
    picture: str | None = None,
    title: str | None = None,
) -> tuple[Figure, Picture]:
    """The figure a person expects for ``data`` (or the named ``picture``), and what was chosen."""
    if reference is None and spec is not None:
        reference = spec_reference(spec)
    chosen = (
        picture_for_name(picture, data, spec, reference) if picture else choose_picture(data, spec, reference)
    )
    figure = new_figure(*SIZES.get(chosen.name, (6.4, 4.2)))
    draw_function(chosen.name)(figure, chosen, PlotContext(data, spec, reference))
    heading = title or (spec.name if spec is not None else None)
    if heading:
        figure.suptitle(heading, fontsize=11)
    return figure, chosen


def save_plot(
    data: pd.DataFrame,
    path: str | Path,
    spec: DatasetSpec | None = None,
    reference: pd.DataFrame | None = None,
    picture: str | None = None,
    title: str | None = None,
    dpi: int = 100,
) -> Picture:
    """Draw the picture of ``data`` and write it to ``path`` (.png, .svg or .pdf)."""
    check_output(path)
    figure, chosen = plot_table(data, spec, reference, picture, title)
    save_figure(figure, path, dpi=dpi)
    return chosen
