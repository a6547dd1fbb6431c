"""Monte Carlo sampling for shapes no named family gives: a user density over ``x`` or an
empirical sample/histogram, by inverse transform or by rejection with a reported acceptance rate."""

from __future__ import annotations

import threading
from typing import TypeVar

import numpy as np
import pandas as pd
from typing_extensions import override

from llmsynth.errors import SpecError
from llmsynth.scaffold.base import Material, Sampler
from llmsynth.scaffold.data import load_sample, numeric_matrix
from llmsynth.scaffold.expression import evaluate
from llmsynth.scaffold.numeric import finish
from llmsynth.scaffold.promises import Promise, TabulatedPromise
from llmsynth.spec.dataset import DatasetSpec
from llmsynth.spec.kinds.montecarlo import DensitySpec, EmpiricalSpec

PiecewiseT = TypeVar("PiecewiseT", bound=DensitySpec | EmpiricalSpec)

_ENVELOPE_MARGIN = 1.05  # the grid maximum can miss a peak between grid points


class PiecewiseSampler(Sampler[PiecewiseT]):
    """Shared machinery: a density tabulated on a grid (``xs_``, ``pdf_``), drawn by inverse CDF
    or by rejection under a flat envelope. Subclasses fill the grid in ``fit``."""

    xs_: np.ndarray
    pdf_: np.ndarray
    cdf_: np.ndarray
    cdf_area_: float

    def __init__(self, spec: PiecewiseT, dataset: DatasetSpec | None) -> None:
        super().__init__(spec, dataset)
        self.proposed_ = 0
        self.accepted_ = 0
        self._counting = threading.Lock()  # blocks may be drawn on several threads

    @property
    def acceptance_rate_(self) -> float:
        """Accepted / proposed over every draw so far (1.0 for inverse transform)."""
        return self.accepted_ / self.proposed_ if self.proposed_ else 1.0

    def _count(self, proposed: int, accepted: int) -> None:
        with self._counting:
            self.proposed_ += proposed
            self.accepted_ += accepted

    def _tabulate(self, xs: np.ndarray, pdf: np.ndarray) -> None:
        if not np.isfinite(pdf).all() or (pdf < 0).any():
            raise SpecError("the density must be finite and >= 0 on [low, high]", column=self.spec.label)
        cdf = np.concatenate([[0.0], np.cumsum(np.diff(xs) * (pdf[1:] + pdf[:-1]) / 2)])
        if cdf[-1] <= 0:
            raise SpecError("the density is 0 everywhere on [low, high]", column=self.spec.label)
        self.xs_, self.pdf_, self.cdf_ = xs, pdf, cdf / cdf[-1]
        self.cdf_area_ = float(cdf[-1])  # area under the tabulated density

    def _density(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(np.interp(x, self.xs_, self.pdf_))

    def _draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        if self.spec.method == "inverse":
            self._count(n, n)
            return np.asarray(np.interp(rng.random(n), self.cdf_, self.xs_))
        ceiling = float(self.pdf_.max()) * _ENVELOPE_MARGIN
        low, high = float(self.xs_[0]), float(self.xs_[-1])
        # the grid's own acceptance rate sizes the first batch: nothing drawn elsewhere may change a block
        rate = float(self.cdf_area_ / (ceiling * (high - low)))
        kept: list[np.ndarray] = []
        have = proposed = 0
        while have < n:
            # propose enough for the rest at the rate seen so far in this block, in bounded batches
            batch = min(int((n - have) / max(rate, 1e-3) * 1.2) + 16, 5_000_000)
            x = rng.uniform(low, high, size=batch)
            keep = x[rng.uniform(0, ceiling, size=batch) < self._density(x)]
            self._count(batch, len(keep))
            kept.append(keep)
            have += len(keep)
            proposed += batch
            rate = have / proposed
        return np.concatenate(kept)[:n]

    @override
    def draw(self, n: int, rng: np.random.Generator) -> Material:
        return {"x": self._draw(n, rng)}

    @override
    def finish(self, material: Material, context: pd.DataFrame | None) -> pd.DataFrame:
        return pd.DataFrame({self.spec.name: finish(self.spec, material["x"])})

    @override
    def diagnostics(self) -> dict[str, float]:
        return {"acceptance_rate": self.acceptance_rate_}

    @override
    def promises(self) -> list[Promise]:
        step = max(1, len(self.xs_) // 512)  # a few hundred points describe the CDF well enough
        xs, cdf = self.xs_[::step], self.cdf_[::step]
        if xs[-1] != self.xs_[-1]:
            xs, cdf = np.append(xs, self.xs_[-1]), np.append(cdf, 1.0)
        return [TabulatedPromise(self.spec.name, tuple(map(float, xs)), tuple(map(float, cdf)))]


class DensitySampler(PiecewiseSampler[DensitySpec]):
    """``kind: density``: the user's expression over x, evaluated on a grid (never with eval)."""

    @override
    def fit(self) -> DensitySampler:
        xs = np.linspace(self.spec.low, self.spec.high, self.spec.grid)
        pdf = evaluate(self.spec.density, {"x": xs}, len(xs), None, self.spec.name).astype(float)
        self._tabulate(xs, pdf)
        return self

    def _density(self, x: np.ndarray) -> np.ndarray:
        # rejection tests the exact density, not the grid's interpolation
        return evaluate(self.spec.density, {"x": x}, len(x), None, self.spec.name).astype(float)


class EmpiricalSampler(PiecewiseSampler[EmpiricalSpec]):
    """``kind: empirical``: inverse = interpolated ECDF of the sample; rejection = its histogram."""

    @override
    def fit(self) -> EmpiricalSampler:
        spec = self.spec
        if spec.histogram is not None:
            edges, counts = np.asarray(spec.histogram.edges), np.asarray(spec.histogram.counts, dtype=float)
        else:
            if spec.values is not None:
                values = np.asarray(spec.values, dtype=float)
            else:
                column = spec.column or spec.name
                values = numeric_matrix(load_sample(spec, self.dataset, [column]), spec.label)[:, 0]
            if len(values) < 2 or values.min() == values.max():
                raise SpecError("the sample needs at least two different values", column=spec.label)
            if spec.method == "inverse":
                xs = np.sort(values)
                self.xs_, self.cdf_ = xs, np.linspace(0.0, 1.0, len(xs))
                self.pdf_ = np.ones_like(xs)  # unused by inverse transform
                return self
            counts, edges = np.histogram(values, bins=spec.bins)
            counts = counts.astype(float)
        heights = counts / np.diff(edges)
        # a step function: each bin's height at its left edge and just below its right edge
        xs = np.column_stack([edges[:-1], np.nextafter(edges[1:], -np.inf)]).ravel()
        pdf = np.repeat(heights, 2)
        self._tabulate(xs.astype(float), pdf)
        return self
