"""Gaussian mixtures: fitted to sample data with scikit-learn (components chosen by BIC on request)
or given directly; fitted with the column's fit stream and drawn with the engine's block streams, never
the raw seed or sklearn's own random state."""

from __future__ import annotations

import numpy as np
import pandas as pd
from typing_extensions import override

from llmsynth.errors import SpecError
from llmsynth.scaffold.base import Material, Sampler
from llmsynth.scaffold.data import load_sample, numeric_matrix
from llmsynth.scaffold.linalg import matrix_root
from llmsynth.scaffold.multivariate import correlation_of
from llmsynth.scaffold.promises import CorrelationPromise, Promise
from llmsynth.spec.kinds.mixture import MixtureSpec


def _full_covariances(model: object, k: int, d: int) -> np.ndarray:
    kind = model.covariance_type  # type: ignore[attr-defined]
    cov = model.covariances_  # type: ignore[attr-defined]
    if kind == "full":
        return np.asarray(cov)
    if kind == "tied":
        return np.repeat(np.asarray(cov)[None], k, axis=0)
    if kind == "diag":
        return np.stack([np.diag(c) for c in cov])
    return np.stack([np.eye(d) * c for c in cov])  # spherical


class MixtureSampler(Sampler[MixtureSpec]):
    """``kind: mixture``: ``weights_``, ``means_``, ``covariances_`` (full) after ``fit``."""

    @override
    def fit(self) -> MixtureSampler:
        spec = self.spec
        if spec.weights is not None:
            self.weights_ = np.asarray(spec.weights, dtype=float)
            self.means_ = np.asarray(spec.means, dtype=float)
            self.covariances_ = np.asarray(spec.covariances, dtype=float)
        else:
            self._fit_data(numeric_matrix(load_sample(spec, self.dataset, list(spec.columns)), spec.label))
        self.weights_ = self.weights_ / self.weights_.sum()
        self.roots_ = np.stack([matrix_root(c) for c in self.covariances_])
        return self

    def _fit_data(self, data: np.ndarray) -> None:
        from sklearn.mixture import GaussianMixture

        spec = self.spec
        seed = int(self.fit_rng().integers(2**31 - 1))  # the column's own fit stream, not the raw seed
        counts = [spec.components] if isinstance(spec.components, int) else list(range(1, spec.max_components + 1))
        counts = [k for k in counts if k <= len(data)]
        if not counts:
            raise SpecError(
                f"field 'components': {spec.components} components need at least as many rows;"
                f" the sample has {len(data)}",
                column=spec.label,
            )
        fits = []
        for k in counts:
            model = GaussianMixture(k, covariance_type=spec.covariance_type, random_state=seed, n_init=2)
            fits.append(model.fit(data))
        self.bic_ = {k: float(m.bic(data)) for k, m in zip(counts, fits, strict=True)}
        best = min(range(len(fits)), key=lambda i: self.bic_[counts[i]])
        model = fits[best]
        self.n_components_ = counts[best]
        self.weights_ = np.asarray(model.weights_, dtype=float)
        self.means_ = np.asarray(model.means_, dtype=float)
        self.covariances_ = _full_covariances(model, counts[best], data.shape[1])

    @override
    def draw(self, n: int, rng: np.random.Generator) -> Material:
        labels = rng.choice(len(self.weights_), size=n, p=self.weights_)
        return {"labels": labels, "z": rng.standard_normal((n, self.means_.shape[1]))}

    @override
    def finish(self, material: Material, context: pd.DataFrame | None) -> pd.DataFrame:
        labels = material["labels"]
        values = self.means_[labels] + np.einsum("nij,nj->ni", self.roots_[labels], material["z"])
        return pd.DataFrame({c: values[:, i] for i, c in enumerate(self.spec.columns)})

    def overall_covariance(self) -> np.ndarray:
        """Covariance of the whole mixture: sum w_k (S_k + m_k m_k') - m m'."""
        mean = self.weights_ @ self.means_
        second = np.einsum(
            "k,kij->ij", self.weights_, self.covariances_ + np.einsum("ki,kj->kij", self.means_, self.means_)
        )
        return np.asarray(second - np.outer(mean, mean))

    @override
    def promises(self) -> list[Promise]:
        if len(self.spec.columns) < 2:
            return []
        corr = correlation_of(self.overall_covariance())
        return [CorrelationPromise(tuple(self.spec.columns), tuple(tuple(float(v) for v in r) for r in corr))]
