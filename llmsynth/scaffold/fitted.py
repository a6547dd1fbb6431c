"""Samplers for tabulated marginals: ``quantiles`` (a quantile function, linear between its values) and
``discrete`` (numbers with probabilities). Both map uniforms to values monotonically, so a copula can
join them with any other marginal."""

from __future__ import annotations

import numpy as np
from typing_extensions import override

from llmsynth.scaffold.distributions import UniformDrawSampler
from llmsynth.scaffold.numeric import finish
from llmsynth.scaffold.promises import CategoricalPromise, Promise, TabulatedPromise
from llmsynth.spec.kinds.fitted import DiscreteSpec, QuantilesSpec

_SECONDS_PER_DAY = 86_400
_MIN_STEPS_FOR_KS = 100  # a column with fewer possible values than this is too coarse for a KS promise


def _probabilities(spec: QuantilesSpec) -> np.ndarray:
    return np.linspace(0.0, 1.0, len(spec.values))


def quantile_values(spec: QuantilesSpec, u: np.ndarray) -> np.ndarray:
    """The quantile function at ``u``, truncated exactly to ``bounds``, then clipped, rounded and typed."""
    xs, ps = np.asarray(spec.numbers(), dtype=float), _probabilities(spec)
    if spec.bounds is not None:  # exact truncation: squeeze u into [F(low), F(high)]
        low, high = spec.bounds
        f_low = 0.0 if low is None else float(np.interp(low, xs, ps))
        f_high = 1.0 if high is None else float(np.interp(high, xs, ps))
        u = f_low + u * (f_high - f_low)
    values = np.interp(u, ps, xs)
    if spec.type in ("date", "datetime"):
        unit = _SECONDS_PER_DAY if spec.type == "date" else 1
        seconds = (np.round(values / unit) * unit).astype(np.int64)
        return np.asarray(seconds.astype("datetime64[s]").astype("datetime64[ns]"))
    if spec.type == "integer":
        values = np.round(values)
    return finish(spec, values)


def discrete_values(spec: DiscreteSpec, u: np.ndarray) -> np.ndarray:
    """Inverse CDF of the value table: low uniforms give low values, so ranks carry over in a copula."""
    values, probabilities = spec.table()
    edges = np.cumsum(probabilities)
    index = np.minimum(np.searchsorted(edges, u, side="right"), len(values) - 1)
    out = np.asarray(values, dtype=float)[index]
    return out.astype(np.int64) if spec.integer_output else out


class QuantilesSampler(UniformDrawSampler[QuantilesSpec]):
    """``kind: quantiles``: one uniform per row through ``quantile_values``."""

    @override
    def promises(self) -> list[Promise]:
        spec = self.spec
        if spec.type in ("date", "datetime") or spec.bounds is not None or spec.clip is not None:
            return []
        xs = spec.numbers()
        step = 1.0 if spec.type == "integer" else (10.0 ** -spec.round if spec.round is not None else 0.0)
        if step and (xs[-1] - xs[0]) / step < _MIN_STEPS_FOR_KS:
            return []
        return [TabulatedPromise(spec.name, tuple(xs), tuple(map(float, _probabilities(spec))))]


class DiscreteSampler(UniformDrawSampler[DiscreteSpec]):
    """``kind: discrete``: one uniform per row through ``discrete_values``."""

    @override
    def promises(self) -> list[Promise]:
        values, probabilities = self.spec.table()
        as_text = [str(int(v)) if self.spec.integer_output else str(v) for v in values]
        return [CategoricalPromise(self.spec.name, dict(zip(as_text, probabilities, strict=True)))]
