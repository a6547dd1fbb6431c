"""Dependence between columns as a Gaussian copula: each column becomes normal scores through its ranks
(ties broken at random, the distributional transform, so counts and categories get exact N(0, 1)
scores), and the copula's latent correlation is their Ledoit-Wolf shrunk correlation, which stays
well conditioned on small tables and small classes.

Categories have no order of their own; they are ordered by the mean of the numeric columns' first
principal component within each category, so the copula can carry a category's link to the numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtri

DIGITS = 4  # correlations written to the spec with this many decimals
_MIN_EIGENVALUE = 1e-6


def normal_scores(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """N(0, 1) scores by rank with random tie-breaking; missing values (NaN) score 0."""
    present = ~np.isnan(values)
    scores = np.zeros(len(values))
    x = values[present]
    if len(x) == 0:
        return scores
    order = np.lexsort((rng.random(len(x)), x))
    ranks = np.empty(len(x))
    ranks[order] = np.arange(len(x))
    scores[present] = ndtri((ranks + 0.5) / len(x))
    return scores


def category_order(labels: pd.Series, summary: np.ndarray | None) -> list[str]:
    """Categories by the mean ``summary`` score of their rows (by frequency without numeric columns)."""
    counts = labels.value_counts()
    if summary is None:
        return [str(c) for c in counts.index]
    means = pd.Series(summary, index=labels.index).groupby(labels).mean()
    return [str(c) for c in sorted(counts.index, key=lambda c: (float(means.get(c, 0.0)), -int(counts[c])))]


def summary_score(numeric_scores: list[np.ndarray]) -> np.ndarray | None:
    """First principal component of the numeric columns' scores (None without numeric columns)."""
    if not numeric_scores:
        return None
    matrix = np.column_stack(numeric_scores)
    if matrix.shape[1] == 1:
        return matrix[:, 0]
    _, _, vt = np.linalg.svd(matrix - matrix.mean(axis=0), full_matrices=False)
    component = vt[0] if vt[0].sum() >= 0 else -vt[0]
    return np.asarray(matrix @ component)


def latent_correlation(scores: np.ndarray) -> list[list[float]]:
    """Shrunk correlation of the score columns, rounded, and positive definite after rounding."""
    from sklearn.covariance import LedoitWolf

    d = scores.shape[1]
    if scores.shape[0] < 3:
        return [[float(v) for v in row] for row in np.eye(d)]
    cov = LedoitWolf(assume_centered=False).fit(scores).covariance_
    sd = np.sqrt(np.clip(np.diag(cov), 1e-12, None))
    corr = cov / np.outer(sd, sd)
    for _ in range(50):
        rounded = np.round(np.clip(corr, -1.0, 1.0), DIGITS)
        np.fill_diagonal(rounded, 1.0)
        if np.linalg.eigvalsh(rounded).min() > _MIN_EIGENVALUE:
            return [[float(v) for v in row] for row in rounded]
        corr = 0.95 * corr + 0.05 * np.eye(d)
    return [[float(v) for v in row] for row in np.eye(d)]
