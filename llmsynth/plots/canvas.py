"""Figures on matplotlib's Agg canvas, without pyplot: no GUI backend, no global figure state.

The one home of the colours, so ``llmsynth plot`` pictures and the eval report agree.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from llmsynth.errors import InputDataError

if TYPE_CHECKING:  # matplotlib is imported only when something is drawn
    from matplotlib.figure import Figure

__all__ = ["DECLARED", "FORMATS", "REAL", "SYNTH", "new_figure", "png_base64", "save_figure"]

SYNTH, REAL, DECLARED = "#3b6fb6", "#e08a2c", "#333333"

FORMATS = (".png", ".svg", ".pdf")
PALETTE = ("#3b6fb6", "#e08a2c", "#4f9d69", "#b5485d", "#7a5fa8", "#8c6d46")


def new_figure(
    width: float = 6.4, height: float = 4.2, layout: Literal["constrained"] | None = "constrained"
) -> Figure:
    """A ``matplotlib.figure.Figure`` attached to an Agg canvas; ``layout=None`` skips the layout pass
    (a third of the drawing time) for small figures whose margins are set by hand."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout=layout)
    FigureCanvasAgg(figure)
    return figure


def png_base64(figure: Figure, dpi: int = 100) -> str:
    """The figure as a base64 PNG, for embedding in a self-contained HTML page."""
    import base64
    import io

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def check_output(path: str | Path) -> Path:
    """The output path, if its suffix names a format we write; else a clear error."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise InputDataError(
            f"{path}: cannot write a picture as '{path.suffix or '(no suffix)'}';"
            f" use one of {', '.join(FORMATS)}"
        )
    return path


def save_figure(figure: Figure, path: str | Path, dpi: int = 100) -> Path:
    """Write the figure in the format its suffix selects, creating parent folders."""
    path = check_output(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # PNG metadata carries the matplotlib version; dropping it keeps rebuilt pictures byte-stable
    metadata = {"Software": None} if path.suffix.lower() == ".png" else None
    figure.savefig(path, dpi=dpi, metadata=metadata)
    return path
