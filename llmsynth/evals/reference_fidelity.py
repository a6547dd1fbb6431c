"""Fidelity to a real reference table, scored exactly as SDMetrics' single-table QualityReport (0.32)
scores it, so figures can be compared with published SDMetrics numbers (a test runs the real library).

- Column Shapes: KSComplement (1 - two-sample KS statistic) for numeric and datetime columns,
  TVComplement (1 - total variation distance) for categorical and boolean ones.
- Column Pair Trends: CorrelationSimilarity (1 - |r_real - r_synth| / 2, Pearson) for two numeric
  columns, ContingencySimilarity (1 - TVD of the joint frequencies) otherwise, with a numeric column
  cut into 10 equal-width bins of its own table's range. A pair counts towards the average only when
  the real table shows a trend to keep: |r_real| > 0.5, or Cramér's V of the real contingency table
  > 0.3 (SDMetrics' default thresholds); the others are listed with ``contributes: false``.
- Overall: the mean of the two property scores (just Column Shapes when no pair counts).
Free-text columns (more distinct values than half the rows) are left out, as SDMetrics leaves out
``text`` and ``id`` columns. SDMetrics subsamples contingency tables to 50,000 random rows; here every
row counts, so above that size the two agree up to SDMetrics' sampling noise.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats.contingency import association

from llmsynth.evals.columns import Kind, as_category, as_numeric, column_kinds
from llmsynth.evals.inputs import EvalInputs
from llmsynth.spec.schema import ColumnSchema

_DECIMALS = 14  # SDMetrics rounds before its KS test (sys.float_info.dig - 1)
_BINS = 10
REAL_CORRELATION_THRESHOLD = 0.5
REAL_ASSOCIATION_THRESHOLD = 0.3


def ks_complement(real: pd.Series, synthetic: pd.Series) -> float:
    """1 - KS statistic between real and synthetic values (SDMetrics' KSComplement)."""
    r = real.dropna().round(_DECIMALS).to_numpy()
    s = synthetic.dropna().round(_DECIMALS).to_numpy()
    if r.size == 0 or s.size == 0:
        return float("nan")
    # only the statistic is used, so the asymptotic method (no exact-p warnings on ties) is enough
    return 1.0 - float(stats.ks_2samp(r, s, method="asymp").statistic)


def tv_complement(real: pd.Series, synthetic: pd.Series) -> float:
    """1 - TVD of the label shares; like SDMetrics, a label only the synthetic table has counts 1e-6 in the real."""
    r, s = Counter(real.dropna()), Counter(synthetic.dropna())
    if not r or not s:
        return float("nan")
    for label in s:
        if label not in r:
            r[label] += 1e-6  # type: ignore[assignment]
    r_total, s_total = sum(r.values()), sum(s.values())
    return 1.0 - 0.5 * sum(abs(s[label] / s_total - count / r_total) for label, count in r.items())


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson r, NaN for constant input (scipy would warn; the pair is then not scored)."""
    if x.size < 2 or np.std(x) == 0 or np.std(y) == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def correlation_similarity(real: pd.DataFrame, synthetic: pd.DataFrame) -> dict[str, Any]:
    """Pairwise correlations compared between the tables (SDMetrics' CorrelationSimilarity)."""
    r, s = real.dropna().to_numpy(), synthetic.dropna().to_numpy()
    r_corr, s_corr = pearson(r[:, 0], r[:, 1]), pearson(s[:, 0], s[:, 1])
    score = 1 - abs(r_corr - s_corr) / 2
    return {
        "score": score,
        "real": r_corr,
        "synthetic": s_corr,
        "contributes": bool(abs(r_corr) > REAL_CORRELATION_THRESHOLD and np.isfinite(score)),
    }


def _joint(frame: pd.DataFrame) -> pd.Series:
    return frame.groupby(list(frame.columns), dropna=False).size()


def cramers_v(real: pd.DataFrame) -> float:
    """Cramér's V of the real pair's contingency table (NaN when a side has a single value)."""
    table = _joint(real).unstack(fill_value=0)
    if table.to_numpy().sum() == 0 or min(table.shape) < 2:
        return float("nan")
    return float(association(table.to_numpy(), method="cramer"))


def contingency_similarity(real: pd.DataFrame, synthetic: pd.DataFrame) -> float:
    """1 - total variation distance of the joint shares of two categories (SDMetrics' ContingencySimilarity)."""
    r, s = _joint(real) / len(real), _joint(synthetic) / len(synthetic)
    index = r.index.union(s.index, sort=False)
    diff = (r.reindex(index, fill_value=0) - s.reindex(index, fill_value=0)).abs().fillna(0)
    return float(1 - diff.sum() / 2)


def _discretise(values: pd.Series) -> pd.Series:
    present = values.dropna()
    edges = np.histogram_bin_edges(present.to_numpy(), bins=_BINS) if len(present) else np.array([0.0])
    return pd.Series(np.digitize(values.to_numpy(dtype=float), edges), index=values.index)


def _prepared(frame: pd.DataFrame, kinds: Mapping[str, Kind]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(values in each column's working form, binned numerics) for one table."""
    values, binned = {}, {}
    for name, kind in kinds.items():
        if kind in ("numeric", "datetime"):
            values[name] = as_numeric(frame[name], kind)
            binned[name] = _discretise(values[name])
        else:
            values[name] = as_category(frame[name])
    return pd.DataFrame(values, index=frame.index), pd.DataFrame(binned, index=frame.index)


def _pair(a: str, b: str, kinds: Mapping[str, Kind], tables: tuple[pd.DataFrame, ...]) -> dict[str, Any]:
    real, real_bins, synth, synth_bins = tables
    continuous = [kinds[c] in ("numeric", "datetime") for c in (a, b)]
    if all(continuous):
        return {"metric": "CorrelationSimilarity", **correlation_similarity(real[[a, b]], synth[[a, b]])}
    # a numeric column beside a categorical one is compared through its bins
    binned = any(continuous)
    r_pair = pd.concat([(real_bins if binned and continuous[i] else real)[c] for i, c in enumerate((a, b))], axis=1)
    s_pair = pd.concat([(synth_bins if binned and continuous[i] else synth)[c] for i, c in enumerate((a, b))], axis=1)
    strength = cramers_v(r_pair)
    score = contingency_similarity(r_pair, s_pair)
    return {
        "metric": "ContingencySimilarity",
        "score": score,
        "real_association": strength,
        "contributes": bool(strength > REAL_ASSOCIATION_THRESHOLD),
    }


def reference_scores(
    data: pd.DataFrame, reference: pd.DataFrame, schemas: Mapping[str, ColumnSchema] | None = None
) -> dict[str, Any]:
    """Column Shapes, Column Pair Trends and their mean, with every column and pair score."""
    common = [str(c) for c in reference.columns if c in data.columns]
    excluded = {str(c): "only in the reference" for c in reference.columns if c not in data.columns}
    excluded.update({str(c): "only in the synthetic data" for c in data.columns if c not in reference.columns})
    all_kinds = column_kinds(reference[common], schemas)
    kinds = {c: k for c, k in all_kinds.items() if k != "text"}
    excluded.update({c: "free text" for c, k in all_kinds.items() if k == "text"})
    real, real_bins = _prepared(reference, kinds)
    synth, synth_bins = _prepared(data, kinds)

    columns: dict[str, dict[str, Any]] = {}
    for name, kind in kinds.items():
        numeric = kind in ("numeric", "datetime")
        columns[name] = {
            "kind": kind,
            "metric": "KSComplement" if numeric else "TVComplement",
            "score": (ks_complement if numeric else tv_complement)(real[name], synth[name]),
        }

    tables = (real, real_bins, synth, synth_bins)
    pairs = {f"{a}|{b}": _pair(a, b, kinds, tables) for a, b in itertools.combinations(kinds, 2)}
    shapes = _mean([c["score"] for c in columns.values()])
    trends = _mean([p["score"] for p in pairs.values() if p["contributes"]])
    return {
        "overall": _mean([shapes, trends]),
        "column_shapes": shapes,
        "column_pair_trends": trends,
        "columns": columns,
        "pairs": pairs,
        "excluded": excluded,
    }


def _mean(values: list[float | None]) -> float | None:
    finite = [v for v in values if v is not None and np.isfinite(v)]
    return float(np.mean(finite)) if finite else None


def family(inputs: EvalInputs) -> dict[str, Any]:
    """The ``reference`` family: column shapes and pair trends against the reference table."""
    skipped = inputs.skip_without_reference()
    if skipped is not None or inputs.reference is None:
        return skipped or {}
    return reference_scores(inputs.data, inputs.reference, inputs.schemas)
