"""Gaussian mixtures, declared or learned from sample data, sampled by ``scaffold/mixture.py``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from typing_extensions import override

from llmsynth.spec.kinds.base import DataSource, SamplerColumn, check_matrix, check_psd, check_unique, invalid


class MixtureSpec(SamplerColumn, DataSource):
    """A Gaussian mixture fitted to sample data (``file``/``rows``), or given weights/means/covariances."""

    kind: Literal["mixture"]
    columns: list[str] = Field(min_length=1)
    components: int | Literal["auto"] = Field(
        default="auto", description="Components, or 'auto' to pick by BIC."
    )
    max_components: int = Field(
        default=6, ge=1, le=50, description="Largest count tried by components: auto."
    )
    covariance_type: Literal["full", "diag", "tied", "spherical"] = "full"
    weights: list[float] | None = None
    means: list[list[float]] | None = None
    covariances: list[list[list[float]]] | None = None

    @model_validator(mode="after")
    def _check(self) -> MixtureSpec:
        check_unique(self.columns)
        given = [self.weights is not None, self.means is not None, self.covariances is not None]
        if self.has_data() == any(given) or (any(given) and not all(given)):
            raise invalid(
                "file", "give sample data ('file' or 'rows') or all of 'weights', 'means', 'covariances'"
            )
        if isinstance(self.components, int) and self.components < 1:
            raise invalid("components", f"components must be at least 1, got {self.components}")
        if self.rows is not None:
            missing = sorted({c for c in self.columns if any(c not in r for r in self.rows)})
            if missing:
                raise invalid("rows", f"rows lack column(s) {', '.join(missing)}")
        if self.weights is not None and self.means is not None and self.covariances is not None:
            self._check_parameters(self.weights, self.means, self.covariances)
        return self

    def _check_parameters(
        self, weights: list[float], means: list[list[float]], covs: list[list[list[float]]]
    ) -> None:
        k, d = len(weights), len(self.columns)
        if any(not w >= 0 for w in weights) or abs(sum(weights) - 1) > 1e-6:
            raise invalid("weights", f"weights must be >= 0 and sum to 1, got sum {sum(weights):g}")
        if len(means) != k or any(len(m) != d for m in means):
            raise invalid(
                "means", f"means must be {k} lists (one per component) of {d} values (one per column)"
            )
        if len(covs) != k:
            raise invalid(
                "covariances", f"covariances must hold {k} matrices (one per component), got {len(covs)}"
            )
        for i, cov in enumerate(covs):
            check_matrix(cov, d, f"covariances[{i}]")
            check_psd(cov, f"covariances[{i}]", repair=False)

    @override
    def output_names(self) -> list[str]:
        return list(self.columns)


MIXTURE_SPECS = (MixtureSpec,)
