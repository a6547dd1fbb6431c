"""Columns that add up to an exact total per row: Dirichlet shares scaled by the total, with
largest-remainder rounding so integer parts still sum exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd

from llmsynth.errors import SpecError
from llmsynth.scaffold.base import Sampler
from llmsynth.scaffold.promises import DistributionPromise, Promise, SumPromise


def largest_remainder(shares: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Integers per row, each near shares * total, that sum exactly to the row's (integer) total."""
    exact = shares * totals[:, None]
    floors = np.floor(exact)
    short = (totals - floors.sum(axis=1)).round().astype(np.int64)  # units still to hand out per row
    # rank each row's fractional parts, biggest first; the `short` biggest get one more unit
    order = np.argsort(-(exact - floors), axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(shares.shape[1])[None, :].repeat(len(shares), 0), axis=1)
    return (floors + (ranks < short[:, None])).astype(np.int64)


class FixedSumSampler(Sampler):
    """``kind: fixed_sum``: shares ~ Dirichlet(alpha), values = shares * total."""

    def sample(self, n: int, rng: np.random.Generator, context: pd.DataFrame) -> pd.DataFrame:
        spec = self.spec
        shares = rng.dirichlet(spec.alphas(), size=n)
        if spec.total is not None:
            totals = np.full(n, float(spec.total))
        else:
            totals = context[spec.total_column].to_numpy(dtype=float)
            if not np.isfinite(totals).all() or (totals < 0).any():
                raise SpecError(
                    f"field 'total_column': '{spec.total_column}' has negative or missing values",
                    column=spec.label,
                )
            if spec.integer and not np.equal(np.round(totals), totals).all():
                raise SpecError(
                    f"field 'total_column': integer: true needs whole numbers in '{spec.total_column}'",
                    column=spec.label,
                )
        if spec.integer:
            values = largest_remainder(shares, totals)
        else:
            values = shares * totals[:, None]
            # put the rounding error of the sum on the largest part, so the row sum is the total
            values[np.arange(n), values.argmax(axis=1)] += totals - values.sum(axis=1)
        frame = pd.DataFrame(values, columns=list(spec.columns))
        if spec.output_total:
            frame[spec.output_total] = totals.astype(np.int64) if spec.integer else totals
        return frame

    def promises(self) -> list[Promise]:
        spec = self.spec
        total_column = spec.total_column or spec.output_total if spec.total is None else None
        promises: list[Promise] = [SumPromise(tuple(spec.columns), spec.total, total_column)]
        if spec.total is not None and not spec.integer:
            alphas = spec.alphas()
            rest = sum(alphas)
            # each Dirichlet share is Beta(alpha_i, sum(alpha) - alpha_i), here scaled by the total
            promises.extend(
                DistributionPromise(c, "beta", {"a": a, "b": rest - a, "scale": float(spec.total)})
                for c, a in zip(spec.columns, alphas, strict=True)
            )
        return promises
