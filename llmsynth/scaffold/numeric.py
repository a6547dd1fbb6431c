"""Shared numeric steps: map normal scores to any single-column marginal (a distribution truncated
exactly to its ``bounds``, categories, booleans, integers), then clip, round and cast.

Normal scores ``z`` drive every marginal, so a copula's correlated normals and a lone column's draws
go through the same fast inverses (``llmsynth.scaffold.inverse``). Parameters that vary per row
(``{by: column, map: ...}``) take few distinct values: each distinct law gets its own compiled inverse.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from llmsynth.errors import SpecError
from llmsynth.laws import frozen_law
from llmsynth.scaffold.conditioning import resolve, resolver
from llmsynth.scaffold.inverse import compile_inverse
from llmsynth.scaffold.lookup import StepLookup
from llmsynth.scaffold.strings import strings_from_codes
from llmsynth.spec.kinds.base import ByColumn, NumericColumn
from llmsynth.spec.kinds.basic import BooleanSpec, CategoricalSpec, IntegerSpec, normalised_weights
from llmsynth.spec.kinds.distributions import DistributionColumn
from llmsynth.spec.kinds.fitted import DiscreteSpec, QuantilesSpec

# kinds drawn from one uniform per row, and the kinds a copula or mvnormal may use as a marginal
UniformSpec = IntegerSpec | BooleanSpec | QuantilesSpec | DiscreteSpec | CategoricalSpec
MarginalSpec = DistributionColumn | UniformSpec

_MAX_LAWS = 256  # distinct per-row laws worth compiling; beyond that scipy evaluates row by row


def quantiles(spec: DistributionColumn, z: np.ndarray, context: pd.DataFrame | None) -> np.ndarray:
    """Values of the spec's distribution at normal scores ``z`` (probabilities ``Phi(z)``), truncated
    exactly to its bounds."""
    name, params = spec.scipy_args(resolver(context, spec.name, spec))
    # how many laws the by-column maps allow: known from the spec, so the choice never depends on a chunk
    laws = math.prod(len(p.values()) for p in _conditional(spec))
    try:
        return law_values(name, params, spec.truncation(), spec.discrete, z, tabulate=laws <= _MAX_LAWS)
    except ValueError as exc:
        raise SpecError(f"field 'bounds': {exc}", column=spec.name) from exc
    except RuntimeError as exc:  # scipy's generic quantile search, row by row ("updating stopped")
        raise SpecError(f"field 'params': scipy.stats.{name} could not invert its law for these per-row "
                        f"parameters ({exc}); use fewer distinct parameter values", column=spec.name) from exc


def _conditional(spec: DistributionColumn) -> list[ByColumn]:
    """The spec's by-column parameters (``kind: scipy`` keeps them in ``params``)."""
    values = [getattr(spec, f) for f in type(spec).model_fields]
    values += list(getattr(spec, "params", {}).values())
    return [v for v in values if isinstance(v, ByColumn)]


def law_values(
    name: str, params: dict[str, Any], bounds: Any, discrete: bool, z: np.ndarray, tabulate: bool = False
) -> np.ndarray:
    """scipy.stats ``name`` at normal scores ``z``. Parameters may be numbers (a compiled inverse) or one
    value per row: one compiled inverse per distinct law when ``tabulate``, else scipy row by row."""
    varying = {k: np.asarray(v, dtype=float) for k, v in params.items() if np.ndim(v) > 0}
    if not varying:
        return compile_inverse(name, params, bounds, discrete)(z)
    if not tabulate:
        return _exact_rows(name, {**params, **varying}, bounds, discrete, z)
    return _per_law(name, params, varying, bounds, discrete, z)


def _per_law(
    name: str,
    params: dict[str, Any],
    varying: dict[str, np.ndarray],
    bounds: Any,
    discrete: bool,
    z: np.ndarray,
) -> np.ndarray:
    """Rows grouped by their parameter values, one compiled inverse per distinct law."""
    keys = list(varying)
    stacked = np.column_stack([np.broadcast_to(varying[k], z.shape) for k in keys])
    laws, which = np.unique(stacked, axis=0, return_inverse=True)
    which = which.reshape(-1)
    out = np.empty(z.shape)
    for index, values in enumerate(laws):
        rows = which == index
        law = {**params, **{k: float(v) for k, v in zip(keys, values, strict=True)}}
        out[rows] = compile_inverse(name, law, bounds, discrete)(z[rows])
    return out


def _exact_rows(name: str, params: dict[str, Any], bounds: Any, discrete: bool, z: np.ndarray) -> np.ndarray:
    """scipy's quantiles with per-row parameters, truncated exactly (survival space in the upper tail)."""
    law = frozen_law(name, params)
    low, high = bounds or (None, None)
    # discrete: P(X >= low) = sf(ceil(low) - 1); continuous: sf(low)
    lower_edge = -np.inf if low is None else (np.ceil(low) - 1 if discrete else low)
    upper_edge = np.inf if high is None else (np.floor(high) if discrete else high)
    sf_low, sf_high = law.sf(lower_edge), law.sf(upper_edge)
    mass = np.asarray(sf_low - sf_high)
    if np.any(mass <= 0):
        raise ValueError(f"[{low}, {high}] holds no probability under this distribution")
    u = np.clip(special.ndtr(z), 1e-300, 1 - 1e-16)
    upper = np.asarray(law.cdf(lower_edge)) > 0.5
    values = np.where(upper, law.isf(sf_low - u * mass), law.ppf((1 - sf_low) + u * mass)).astype(float)
    return np.asarray(np.clip(values, lower_edge + 1 if discrete else lower_edge, upper_edge))


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
    if not spec.integer_output:
        return values.astype(float)
    beyond = np.abs(values) >= 2.0**63  # a heavy tail past the probed quantiles: int64 would wrap silently
    if beyond.any():
        raise SpecError(f"a draw reached {values[beyond][0]:.4g}, beyond the 64-bit integers; give the "
                        "column bounds or clip", column=spec.name)
    return values.astype(np.int64)


def marginal_values(spec: MarginalSpec, z: np.ndarray, context: pd.DataFrame | None) -> Any:
    """Map normal scores to a single-column spec's values, preserving rank order (copula marginals)."""
    if isinstance(spec, DistributionColumn):
        return finish(spec, quantiles(spec, z, context))
    return uniform_values(spec, special.ndtr(z), context)


def uniform_values(spec: UniformSpec, u: np.ndarray, context: pd.DataFrame | None) -> Any:
    """Map uniforms to an integer, boolean or categorical spec's values, preserving rank order.

    Text comes back as pandas' default string array (Arrow-backed), numbers as numpy arrays.
    """
    if isinstance(spec, IntegerSpec):
        width = spec.high - spec.low + 1
        return (spec.low + np.minimum(np.floor(u * width), width - 1)).astype(np.int64)
    if isinstance(spec, BooleanSpec):
        p = resolve(spec.p, context, spec.name, "p")
        return np.asarray(u >= 1 - np.asarray(p))  # high uniforms -> True, so ranks carry over
    if isinstance(spec, QuantilesSpec | DiscreteSpec):
        from llmsynth.scaffold.fitted import discrete_values, quantile_values  # imports finish from here

        return quantile_values(spec, u) if isinstance(spec, QuantilesSpec) else discrete_values(spec, u)
    if isinstance(spec, CategoricalSpec):
        if spec.by is not None:
            return conditional_categories(spec, u, context)
        labels = list(spec.weights())
        return strings_from_codes(category_codes(spec.weights(), u), labels)
    raise TypeError(f"no inverse CDF for kind '{spec.kind}'")


def category_codes(weights: dict[str, float], u: np.ndarray) -> np.ndarray:
    """Index of the category each uniform falls in (cumulative weights, searched by a guide table)."""
    edges = np.cumsum(list(weights.values()))[:-1]
    if len(edges) == 0:
        return np.zeros(len(u), dtype=np.int64)
    return _lookup(tuple(edges.tolist()))(u)


_LOOKUPS: dict[tuple[float, ...], StepLookup] = {}


def _lookup(edges: tuple[float, ...]) -> StepLookup:
    found = _LOOKUPS.get(edges)
    if found is None:
        if len(_LOOKUPS) > 256:
            _LOOKUPS.clear()
        # u equal to an edge belongs to the next category: count edges <= u, i.e. thresholds just below them
        found = _LOOKUPS[edges] = StepLookup(np.nextafter(np.asarray(edges), -np.inf), 0.0, 1.0)
    return found


def conditional_categories(spec: CategoricalSpec, u: np.ndarray, context: pd.DataFrame | None) -> Any:
    """Each row draws from the categories of its ``by`` value: one vectorised draw per distinct value."""
    if context is None or spec.by not in context.columns:
        raise SpecError(f"field 'by': column '{spec.by}' is not generated before this one", column=spec.name)
    codes, keys = pd.factorize(context[spec.by].astype(str), use_na_sentinel=False)
    tables = spec.conditional_weights()
    default = None if spec.default is None else normalised_weights(spec.default)
    labels = list(dict.fromkeys(c for t in [*tables.values(), default or {}] for c in t))
    position = {label: i for i, label in enumerate(labels)}
    out = np.empty(len(u), dtype=np.int64)
    for index, key in enumerate(keys):
        rows = codes == index
        weights = tables.get(str(key), default)
        if weights is None:
            raise SpecError(
                f"field 'categories': no categories for {spec.by} = {key!r} and no default", column=spec.name
            )
        local = np.array([position[c] for c in weights], dtype=np.int64)
        out[rows] = local[category_codes(weights, u[rows])]
    return strings_from_codes(out, labels)
