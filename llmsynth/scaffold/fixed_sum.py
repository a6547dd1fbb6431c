"""Columns that add up to an exact total per row: Dirichlet shares scaled by the total, with
largest-remainder rounding so integer or decimal (``round: d``) parts still sum exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
from typing_extensions import override

from llmsynth.errors import SpecError
from llmsynth.scaffold.base import Material, Sampler
from llmsynth.scaffold.promises import DistributionPromise, Promise, SumPromise
from llmsynth.spec.kinds.fixed_sum import FixedSumSpec


def largest_remainder(shares: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Integers per row, each near shares * total, that sum exactly to the row's (integer) total."""
    exact = shares * totals[:, None]
    floors = np.floor(exact)
    short = (totals - floors.sum(axis=1)).round().astype(np.int64)  # units still to hand out per row
    # rank each row's fractional parts, biggest first; the `short` biggest get one more unit
    order = np.argsort(-(exact - floors), axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(shares.shape[1])[None, :].repeat(len(shares), 0), axis=1)
    return np.asarray((floors + (ranks < short[:, None])).astype(np.int64))


def exact_float_split(shares: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Float parts whose sum, added left to right as numpy adds a row, equals the total (where floats can).

    The last part becomes ``total - (sum of the others)``: exact when the others make up at least half
    the total (Sterbenz), so the sum gives the total back. In other rows the sum can step over the total;
    an ulp of the largest other part moves it onto it. Every change is the size of the sum's rounding error.
    """
    values = shares * totals[:, None]
    largest_other = values[:, :-1].argmax(axis=1)
    for attempt in range(6):
        values[:, -1] = np.maximum(totals - values[:, :-1].sum(axis=1), 0.0)
        sums = values.sum(axis=1)
        off = np.flatnonzero(sums != totals)
        if not len(off):
            break
        # alternate the direction so a total that sits between two reachable sums is found from either side
        step = np.where((sums[off] < totals[off]) == (attempt % 2 == 0), np.inf, -np.inf)
        values[off, largest_other[off]] = np.nextafter(values[off, largest_other[off]], step)
    return np.asarray(values)


class FixedSumSampler(Sampler[FixedSumSpec]):
    """``kind: fixed_sum``: shares ~ Dirichlet(alpha), values = shares * total, rounded by largest remainder."""

    @override
    def draw(self, n: int, rng: np.random.Generator) -> Material:
        return {"shares": rng.dirichlet(self.spec.alphas(), size=n)}

    def _totals(self, n: int, context: pd.DataFrame | None) -> np.ndarray:
        spec = self.spec
        if spec.total is not None:
            return np.full(n, float(spec.total))
        if context is None or spec.total_column not in context.columns:
            raise SpecError(f"field 'total_column': '{spec.total_column}' is not generated yet", column=spec.label)
        totals = pd.to_numeric(context[spec.total_column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if not np.isfinite(totals).all() or (totals < 0).any():
            raise SpecError(
                f"field 'total_column': '{spec.total_column}' has negative or missing values", column=spec.label
            )
        if spec.decimals is not None:
            scaled = totals * 10.0**spec.decimals
            if not (np.abs(scaled - np.round(scaled)) <= 1e-9 * np.maximum(1.0, np.abs(scaled))).all():
                what = "whole numbers" if spec.decimals == 0 else f"at most {spec.decimals} decimals"
                raise SpecError(
                    f"field 'total_column': round: {spec.decimals} needs {what} in '{spec.total_column}'",
                    column=spec.label,
                )
        return np.asarray(totals)

    @override
    def finish(self, material: Material, context: pd.DataFrame | None) -> pd.DataFrame:
        spec = self.spec
        shares = material["shares"]
        totals = self._totals(len(shares), context)
        decimals = spec.decimals
        if decimals is None:
            values = exact_float_split(shares, totals)
        else:
            scale = 10.0**decimals
            units = largest_remainder(shares, np.round(totals * scale))
            values = units if decimals == 0 else units / scale
        frame = pd.DataFrame({c: values[:, i] for i, c in enumerate(spec.columns)})
        if spec.output_total:
            frame[spec.output_total] = totals.astype(np.int64) if decimals == 0 else totals
        return frame

    @override
    def promises(self) -> list[Promise]:
        spec = self.spec
        total_column = spec.total_column or spec.output_total if spec.total is None else None
        promises: list[Promise] = [SumPromise(tuple(spec.columns), spec.total, total_column, decimals=spec.decimals)]
        if spec.total is not None and spec.decimals != 0:
            alphas = spec.alphas()
            rest = sum(alphas)
            # each Dirichlet share is Beta(alpha_i, sum(alpha) - alpha_i), here scaled by the total
            promises.extend(
                DistributionPromise(
                    c, "beta", {"a": a, "b": rest - a, "scale": float(spec.total)}, rounded=spec.decimals is not None
                )
                for c, a in zip(spec.columns, alphas, strict=True)
            )
        return promises
