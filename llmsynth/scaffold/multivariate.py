"""Correlated column groups: a multivariate normal, and a Gaussian copula that joins arbitrary
marginals (lognormal income, Poisson visits, beta scores) while keeping a requested rank correlation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from typing_extensions import override

from llmsynth.scaffold.base import Material, Sampler
from llmsynth.scaffold.linalg import is_psd, matrix_root, nearest_correlation, nearest_covariance
from llmsynth.scaffold.numeric import marginal_values
from llmsynth.scaffold.promises import CorrelationPromise, DistributionPromise, Promise
from llmsynth.scaffold.registry import sampler_class
from llmsynth.spec.kinds.multivariate import CopulaSpec, MultivariateNormalSpec


def _as_tuple(matrix: np.ndarray) -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(float(v) for v in row) for row in matrix)


def correlation_of(cov: np.ndarray) -> np.ndarray:
    """The correlation matrix of a covariance matrix."""
    sd = np.sqrt(np.diag(cov))
    return np.asarray(cov / np.outer(sd, sd))


class MultivariateNormalSampler(Sampler[MultivariateNormalSpec]):
    """``kind: mvnormal``; a non-PSD matrix was refused by the spec unless ``repair: true``."""

    @override
    def fit(self) -> MultivariateNormalSampler:
        spec = self.spec
        d = len(spec.columns)
        if spec.cov is not None:
            cov = np.asarray(spec.cov, dtype=float)
            self.repaired_ = not is_psd(cov)
            cov = nearest_covariance(cov) if self.repaired_ else cov
        else:
            corr = np.asarray(spec.corr, dtype=float)
            self.repaired_ = not is_psd(corr)
            corr = nearest_correlation(corr) if self.repaired_ else corr
            sd = np.asarray(spec.sd if spec.sd is not None else [1.0] * d)
            cov = corr * np.outer(sd, sd)
        self.mean_ = np.asarray(spec.mean if spec.mean is not None else [0.0] * d, dtype=float)
        self.cov_ = cov
        self.root_ = matrix_root(cov)
        return self

    @override
    def draw(self, n: int, rng: np.random.Generator) -> Material:
        return {"z": rng.standard_normal((n, len(self.mean_)))}

    @override
    def finish(self, material: Material, context: pd.DataFrame | None) -> pd.DataFrame:
        values = self.root_ @ material["z"].T + self.mean_[:, None]
        return pd.DataFrame({c: values[i] for i, c in enumerate(self.spec.columns)})

    @override
    def diagnostics(self) -> dict[str, float]:
        return {"repaired": float(self.repaired_)}

    @override
    def promises(self) -> list[Promise]:
        columns = list(self.spec.columns)
        marginals: list[Promise] = [
            DistributionPromise(c, "norm", {"loc": float(m), "scale": float(math.sqrt(v))})
            for c, m, v in zip(columns, self.mean_, np.diag(self.cov_), strict=True)
        ]
        return [*marginals, CorrelationPromise(tuple(columns), _as_tuple(correlation_of(self.cov_)))]


class CopulaSampler(Sampler[CopulaSpec]):
    """``kind: copula``: correlated normal scores -> each marginal's inverse CDF of Phi(score)."""

    @override
    def fit(self) -> CopulaSampler:
        latent = np.asarray(self.spec.latent_corr(), dtype=float)
        self.repaired_ = not is_psd(latent)
        self.latent_ = nearest_correlation(latent) if self.repaired_ else latent
        self.root_ = matrix_root(self.latent_)
        return self

    @override
    def draw(self, n: int, rng: np.random.Generator) -> Material:
        return {"z": rng.standard_normal((n, len(self.spec.columns)))}

    @override
    def finish(self, material: Material, context: pd.DataFrame | None) -> pd.DataFrame:
        # correlated normal scores, one row per marginal (root @ z.T: numpy's fast path for tall z)
        scores = self.root_ @ material["z"].T
        return pd.DataFrame(
            {
                name: marginal_values(marginal, scores[i], context)
                for i, (name, marginal) in enumerate(self.spec.columns.items())
            }
        )

    @override
    def diagnostics(self) -> dict[str, float]:
        return {"repaired": float(self.repaired_)}

    @override
    def promises(self) -> list[Promise]:
        promises: list[Promise] = []
        for marginal in self.spec.columns.values():
            promises.extend(sampler_class(marginal.kind)(marginal, self.dataset).fit().promises())
        spearman = 6 / np.pi * np.arcsin(self.latent_ / 2)  # exact for continuous marginals
        columns = tuple(self.spec.columns)
        return [*promises, CorrelationPromise(columns, _as_tuple(spearman), method="spearman")]
