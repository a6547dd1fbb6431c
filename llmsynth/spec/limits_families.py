"""The most extreme values each distribution family can give the sampler, from its parameters alone.

The sampler maps uniforms in [1e-15, 1 - 1e-15] through the inverse CDF, so a family's reach is its
quantile at those levels: about ``Z`` = 8 standard deviations for normal tails and ``TAIL`` = 35
scales for exponential ones. Named families are bounded in closed form (no scipy import); the generic
``kind: scipy`` is probed through scipy with a time limit, since some of its quantile functions
search linearly and never finish for heavy tails (zipf has its own in ``llmsynth/laws.py`` for that
reason; negative binomial with p = 1e-12).
"""

from __future__ import annotations

import json
import math
import os
import select
import signal
import threading
import warnings
from typing import Any

from llmsynth.laws import frozen_law
from llmsynth.spec.kinds.base import ByColumn, NumericColumn
from llmsynth.spec.kinds.distributions import (
    BetaSpec,
    BinomialSpec,
    ExponentialSpec,
    GammaSpec,
    LogNormalSpec,
    NegBinomialSpec,
    NormalSpec,
    PoissonSpec,
    ScipySpec,
    UniformSpec,
)
from llmsynth.spec.kinds.montecarlo import DensitySpec, EmpiricalSpec

Z = 8.0
TAIL = 35.0
LOG_FLOAT_LIMIT = math.log(1e300)
# beyond these scipy's discrete quantiles give NaN or take milliseconds per value (measured)
POISSON_MAX_LAM = 1e9
BINOMIAL_MAX_N = 1e12
NEGBINOMIAL_MIN_P = 1e-7
NEGBINOMIAL_MAX_MEAN = 1e10
# kind: scipy is probed where a table of a million rows draws values, not at the 1e-15 extremes: a
# heavy tail such as zipf(a=2.5) has its 1 - 1e-15 quantile near 1e10, which scipy finds step by step
PROBE_LEVELS = (1e-6, 0.5, 1 - 1e-6)
PROBE_SECONDS = 1.0


class FamilyProblem(ValueError):
    """A parameter that puts the family's values out of reach of float64 or of scipy."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def span(value: float | ByColumn) -> tuple[float, float]:
    """Smallest and largest value of a parameter (a by-column parameter takes several)."""
    if isinstance(value, ByColumn):
        values = value.values()
        return min(values), max(values)
    return float(value), float(value)


def family_range(column: NumericColumn) -> tuple[float, float] | None:
    """[low, high] of the values the sampler can draw before bounds and clip; None when unknown."""
    found = _closed_form(column)
    if found is None:
        return None
    low, high = found
    support_low, support_high = column.support()
    return (low if support_low is None else max(low, support_low),
            high if support_high is None else min(high, support_high))


def _closed_form(column: NumericColumn) -> tuple[float, float] | None:
    if isinstance(column, NormalSpec):  # also truncnormal: its support cuts the range afterwards
        (m0, m1), (_, s1) = span(column.mean), span(column.sd)
        return m0 - Z * s1, m1 + Z * s1
    if isinstance(column, UniformSpec):
        return span(column.low)[0], span(column.high)[1]
    if isinstance(column, LogNormalSpec):
        reach = span(column.mu)[1] + Z * span(column.sigma)[1]
        if reach > LOG_FLOAT_LIMIT:
            raise FamilyProblem(
                "mu", f"values reach exp(mu + 8 sigma) = e^{reach:.4g}, beyond 1e300; keep mu + 8*sigma "
                f"below {LOG_FLOAT_LIMIT:.0f}",
            )
        return 0.0, math.exp(reach)
    if isinstance(column, ExponentialSpec):
        return 0.0, TAIL * span(column.scale)[1]
    if isinstance(column, GammaSpec):
        k = span(column.shape)[1]
        return 0.0, span(column.scale)[1] * (k + Z * math.sqrt(k) + TAIL)
    if isinstance(column, BetaSpec):
        return 0.0, 1.0
    if isinstance(column, PoissonSpec):
        lam = span(column.lam)[1]
        if lam > POISSON_MAX_LAM:
            raise FamilyProblem("lam", f"{lam:.4g} is beyond {POISSON_MAX_LAM:g}, where scipy's Poisson "
                                "quantiles turn NaN or slow; use a normal with round: 0")
        return 0.0, lam + Z * math.sqrt(lam) + TAIL
    if isinstance(column, BinomialSpec):
        n = span(column.n)[1]
        if n > BINOMIAL_MAX_N:
            raise FamilyProblem("n", f"{n:.4g} trials is beyond {BINOMIAL_MAX_N:g}, where scipy's binomial "
                                "quantiles get slow; use a normal with round: 0")
        return 0.0, n
    if isinstance(column, NegBinomialSpec):
        return _negbinomial(column)
    if isinstance(column, ScipySpec):
        return _scipy_range(column)
    if isinstance(column, DensitySpec):
        return column.low, column.high
    if isinstance(column, EmpiricalSpec):
        low, high = column.support()
        return None if low is None or high is None else (low, high)
    return None


def _negbinomial(column: NegBinomialSpec) -> tuple[float, float]:
    n, p = span(column.n)[1], span(column.p)[0]
    if p < NEGBINOMIAL_MIN_P:
        raise FamilyProblem("p", f"{p:.4g} is below {NEGBINOMIAL_MIN_P:g}, where scipy's quantile search "
                            "does not finish")
    mean = n * (1 - p) / p
    if mean > NEGBINOMIAL_MAX_MEAN:
        raise FamilyProblem("n", f"mean n(1-p)/p = {mean:.4g} is beyond {NEGBINOMIAL_MAX_MEAN:g}, where "
                            "scipy's quantiles get slow")
    return 0.0, mean + Z * math.sqrt(n * (1 - p)) / p + TAIL / p


def _scipy_range(column: ScipySpec) -> tuple[float, float]:
    lows = {k: span(v)[0] for k, v in column.params.items()}
    highs = {k: span(v)[1] for k, v in column.params.items()}
    reach: list[float] = []
    for params in (lows, highs) if lows != highs else (lows,):
        reach.extend(probe_quantiles(column.dist, params, PROBE_LEVELS))
    finite = [v for v in reach if not math.isnan(v)]
    if not finite:
        raise FamilyProblem("params", f"scipy.stats.{column.dist} gives no values for params {column.params}")
    return min(finite), max(finite)


def probe_quantiles(dist: str, params: dict[str, float], levels: tuple[float, ...]) -> list[float]:
    """scipy's quantiles at ``levels``, or a FamilyProblem when they take over PROBE_SECONDS.

    Some of scipy's quantile searches never return (zipf near a = 1 loops in Python; negative binomial
    with p = 1e-12 spins in compiled code holding the GIL), so the probe runs in a forked child that
    is killed at the deadline; where there is no fork, in a thread that is abandoned instead.
    """
    runner = _in_child if hasattr(os, "fork") else _in_thread
    outcome = runner(lambda: _quantiles(dist, params, levels))
    if outcome is None:
        raise FamilyProblem(
            "params", f"scipy.stats.{dist} with params {params} takes over {PROBE_SECONDS:g} s for "
            f"{len(levels)} quantile(s) (a heavy tail scipy searches step by step); sampling would not finish",
        )
    if "error" in outcome:
        raise FamilyProblem("params", f"params for '{dist}': {outcome['error']}")
    return [float(v) for v in outcome["values"]]


def _quantiles(dist: str, params: dict[str, float], levels: tuple[float, ...]) -> dict[str, Any]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            values = frozen_law(dist, params).ppf(list(levels))  # the law the sampler will draw from
        return {"values": [float(v) for v in values]}
    except Exception as exc:  # scipy refuses the parameters: reported to the user as such
        return {"error": f"{type(exc).__name__}: {exc}"}


def _in_child(work: Any) -> dict[str, Any] | None:
    import scipy.stats  # noqa: F401 - imported before the fork, so the child starts at once

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, report, and leave without running the parent's exit handlers
        try:
            os.close(read_end)
            os.write(write_end, json.dumps(work()).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], PROBE_SECONDS)
        if not ready:
            os.kill(pid, signal.SIGKILL)
            return None
        chunks = []
        while chunk := os.read(read_end, 65536):
            chunks.append(chunk)
        return dict(json.loads(b"".join(chunks) or b'{"error": "the probe ended without an answer"}'))
    finally:
        os.close(read_end)
        os.waitpid(pid, 0)


def _in_thread(work: Any) -> dict[str, Any] | None:
    result: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: result.update(work()), name="llmsynth-scipy-probe", daemon=True)
    thread.start()
    thread.join(PROBE_SECONDS)
    return result or None
