"""Shared numeric steps: draw a scipy distribution by inverse CDF (exact truncation to ``bounds``),
map uniforms to any single-column marginal (for copulas), then clip, round and cast."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.stats

from llmsynth.errors import SpecError
from llmsynth.scaffold.conditioning import resolve, resolver
from llmsynth.spec.sampler_basic import BooleanSpec, CategoricalSpec, IntegerSpec, normalised_weights
from llmsynth.spec.sampler_common import NumericColumn
from llmsynth.spec.sampler_dists import DistributionColumn

# keep uniforms strictly inside (0, 1): ppf(0) and ppf(1) are infinite for unbounded families
_EPS = 1e-15


def quantiles(spec: DistributionColumn, u: np.ndarray, context: pd.DataFrame) -> np.ndarray:
    """Values of the spec's distribution at probabilities ``u``, truncated exactly to its bounds."""
    name, params = spec.scipy_args(resolver(context, spec.name, spec))
    family = getattr(scipy.stats, name)
    u = np.clip(u, _EPS, 1 - _EPS)
    low, high = spec.truncation() or (None, None)
    if low is None and high is None:
        return np.asarray(family.ppf(u, **params), dtype=float)
    discrete = isinstance(family, scipy.stats.rv_discrete)
    # discrete: P(X >= low) = sf(low - 1); continuous: sf(low)
    lower_edge = -np.inf if low is None else (np.ceil(low) - 1 if discrete else low)
    upper_edge = np.inf if high is None else (np.floor(high) if discrete else high)
    # work in survival space when the window sits in the upper tail, where cdf loses precision
    sf_low, sf_high = family.sf(lower_edge, **params), family.sf(upper_edge, **params)
    mass = np.asarray(sf_low - sf_high)
    if np.any(mass <= 0):
        raise SpecError(
            f"field 'bounds': [{low}, {high}] holds no probability under this distribution", column=spec.name
        )
    upper = np.asarray(family.cdf(lower_edge, **params)) > 0.5
    sf_values = family.isf(sf_low - u * mass, **params)
    cdf_values = family.ppf((1 - sf_low) + u * mass, **params)
    values = np.where(upper, sf_values, cdf_values).astype(float)
    return np.clip(values, lower_edge if not discrete else lower_edge + 1, upper_edge)


def finish(spec: NumericColumn, values: np.ndarray) -> np.ndarray:
    """Apply clip and round, keep inside the declared range, and cast integer columns to int64."""
    if spec.clip is not None:
        low, high = spec.clip
        values = np.clip(values, -np.inf if low is None else low, np.inf if high is None else high)
    if spec.round is not None and not spec.discrete:
        values = np.round(values, spec.round)
    if spec.round is not None or spec.discrete:
        low, high = spec.value_range()
        values = np.clip(values, -np.inf if low is None else low, np.inf if high is None else high)
    return values.astype(np.int64) if spec.integer_output else values.astype(float)


def marginal_values(spec: Any, u: np.ndarray, context: pd.DataFrame) -> np.ndarray:
    """Map uniforms to a single-column spec's values (inverse CDF), preserving rank order."""
    if isinstance(spec, DistributionColumn):
        return finish(spec, quantiles(spec, u, context))
    if isinstance(spec, IntegerSpec):
        width = spec.high - spec.low + 1
        return (spec.low + np.minimum(np.floor(u * width), width - 1)).astype(np.int64)
    if isinstance(spec, BooleanSpec):
        p = resolve(spec.p, context, spec.name, "p")
        return np.asarray(u >= 1 - np.asarray(p))  # high uniforms -> True, so ranks carry over
    if isinstance(spec, CategoricalSpec):
        if spec.by is not None:
            return conditional_categories(spec, u, context)
        return _categories(spec.weights(), u)
    raise TypeError(f"no inverse CDF for kind '{spec.kind}'")


def _categories(weights: dict[str, float], u: np.ndarray) -> np.ndarray:
    edges = np.cumsum(list(weights.values()))
    index = np.minimum(np.searchsorted(edges, u, side="right"), len(edges) - 1)
    return np.array(list(weights), dtype=object)[index]


def conditional_categories(spec: CategoricalSpec, u: np.ndarray, context: pd.DataFrame) -> np.ndarray:
    """Each row draws from the categories of its ``by`` value: one vectorised draw per distinct value."""
    if spec.by not in context.columns:
        raise SpecError(f"field 'by': column '{spec.by}' is not generated before this one", column=spec.name)
    keys = context[spec.by].astype(str).to_numpy()
    tables = spec.conditional_weights()
    default = None if spec.default is None else normalised_weights(spec.default)
    out = np.empty(len(u), dtype=object)
    for key in np.unique(keys):
        rows = keys == key
        weights = tables.get(str(key), default)
        if weights is None:
            raise SpecError(
                f"field 'categories': no categories for {spec.by} = {key!r} and no default", column=spec.name
            )
        out[rows] = _categories(weights, u[rows])
    return out

