"""Matrix repair for user-given correlations and covariances: Higham's nearest correlation matrix
and eigenvalue clipping, plus a square root that tolerates semi-definite matrices."""

from __future__ import annotations

import numpy as np

_FLOOR = 1e-10


def _clip_eigen(matrix: np.ndarray, floor: float = 0.0) -> np.ndarray:
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return np.asarray((vectors * np.maximum(values, floor)) @ vectors.T)


def nearest_correlation(matrix: np.ndarray, tol: float = 1e-10, max_iter: int = 500) -> np.ndarray:
    """Higham (2002): alternating projections (with Dykstra's correction) onto PSD and unit-diagonal."""
    y = np.asarray(matrix, dtype=float).copy()
    correction = np.zeros_like(y)
    for _ in range(max_iter):
        r = y - correction
        x = _clip_eigen(r)
        correction = x - r
        y_next = x.copy()
        np.fill_diagonal(y_next, 1.0)
        done = float(np.linalg.norm(y_next - y)) < tol * max(1.0, float(np.linalg.norm(y)))
        y = y_next
        if done:
            break
    # the limit sits on the PSD boundary; nudge inside so Cholesky-based users stay happy
    y = _clip_eigen(y, _FLOOR)
    scale = 1 / np.sqrt(np.diag(y))
    return y * np.outer(scale, scale)


def nearest_covariance(matrix: np.ndarray) -> np.ndarray:
    """The PSD matrix nearest in Frobenius norm: negative eigenvalues set to zero."""
    return _clip_eigen(np.asarray(matrix, dtype=float))


def is_psd(matrix: np.ndarray, tol: float = 1e-10) -> bool:
    """Whether a symmetric matrix is positive semi-definite within ``tol``."""
    return bool(np.linalg.eigvalsh(matrix).min() >= -tol)


def matrix_root(matrix: np.ndarray) -> np.ndarray:
    """L with L @ L.T == matrix (eigen-based, so semi-definite matrices work too)."""
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return np.asarray(vectors * np.sqrt(np.maximum(values, 0.0)))
