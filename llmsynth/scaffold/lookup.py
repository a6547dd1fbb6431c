"""Which step of a sorted list of thresholds a value falls in, in a few nanoseconds.

``np.searchsorted`` pays a binary search per value. Here a guide table over a uniform grid of cells
(Chen and Asau's indexed search) gives each value the count of thresholds below its cell's left edge;
a fixed number of vectorised fix-up passes then adds the thresholds inside the cell. The number of
passes is the most thresholds any cell holds, known when the table is built, so the answer is exactly
``np.searchsorted(thresholds, x, side="left")`` for every ``x`` inside ``[low, high]``.
"""

from __future__ import annotations

import numpy as np

_CELLS_PER_THRESHOLD = 4
_MIN_CELLS = 1024
_MAX_CELLS = 1 << 22


class StepLookup:
    """Counts of thresholds strictly below each value, for values in ``[low, high]``."""

    def __init__(self, thresholds: np.ndarray, low: float, high: float) -> None:
        self.thresholds = np.asarray(thresholds, dtype=float)
        self.low, self.high = float(low), float(high)
        cells = int(min(max(_MIN_CELLS, _CELLS_PER_THRESHOLD * len(self.thresholds)), _MAX_CELLS))
        self.cells = cells
        self.scale = cells / (self.high - self.low)
        edges = self.low + np.arange(cells + 1) / self.scale
        # widened by a hair: rounding may put a value just outside the cell its index names
        slack = 1e-9 * (self.high - self.low)
        # thresholds below a cell's (widened) left edge are below every value sent to the cell
        self.guide = np.searchsorted(self.thresholds, edges[:-1] - slack, side="left").astype(np.int64)
        inside = np.searchsorted(self.thresholds, edges[1:] + slack, side="right") - self.guide
        self.passes = int(inside.max()) if len(inside) else 0
        self.padded = np.append(self.thresholds, np.inf)  # a pass past the last threshold stops there

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """``np.searchsorted(thresholds, x, side="left")``; values outside ``[low, high]`` are clamped."""
        cell = ((np.asarray(x, dtype=float) - self.low) * self.scale).astype(np.int64)
        np.clip(cell, 0, self.cells - 1, out=cell)
        count = self.guide[cell]
        for _ in range(self.passes):
            count += x > self.padded[count]
        return count
