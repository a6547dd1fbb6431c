"""Jointly distributed columns: multivariate normal and Gaussian copula (sampled by ``scaffold/multivariate.py``)."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, Union

from pydantic import Field, model_validator
from typing_extensions import override

from llmsynth.spec.kinds.base import SamplerColumn, check_correlation, check_matrix, check_psd, check_unique, invalid
from llmsynth.spec.kinds.basic import BooleanSpec, CategoricalSpec, IntegerSpec
from llmsynth.spec.kinds.distributions import DIST_SPECS
from llmsynth.spec.kinds.fitted import FITTED_SPECS
from llmsynth.spec.schema import ColumnSchema

Marginal = Annotated[
    Union[(*DIST_SPECS, *FITTED_SPECS, CategoricalSpec, BooleanSpec, IntegerSpec)],  # type: ignore[valid-type]
    Field(discriminator="kind"),
]


class MultivariateNormalSpec(SamplerColumn):
    """Columns jointly normal: ``mean`` plus ``cov``, or ``corr`` plus ``sd``."""

    kind: Literal["mvnormal"]
    columns: list[str] = Field(min_length=2)
    mean: list[float] | None = Field(default=None, description="One mean per column (default 0).")
    cov: list[list[float]] | None = Field(default=None, description="Covariance matrix.")
    corr: list[list[float]] | None = Field(default=None, description="Correlation matrix (with sd).")
    sd: list[float] | None = Field(default=None, description="Standard deviations, with corr (default 1).")
    repair: bool = Field(default=False, description="Replace a non-PSD matrix by the nearest valid one.")

    @model_validator(mode="after")
    def _check(self) -> MultivariateNormalSpec:
        size = len(self.columns)
        check_unique(self.columns)
        if (self.cov is None) == (self.corr is None):
            raise invalid("cov", "give either 'cov' or 'corr' (with optional 'sd')")
        if self.mean is not None and len(self.mean) != size:
            raise invalid("mean", f"mean needs {size} values (one per column), got {len(self.mean)}")
        if self.cov is not None:
            if self.sd is not None:
                raise invalid("sd", "'sd' goes with 'corr'; a 'cov' already holds the variances")
            check_matrix(self.cov, size, "cov")
            if any(self.cov[i][i] <= 0 for i in range(size)):
                raise invalid("cov", "cov needs positive variances on its diagonal")
            check_psd(self.cov, "cov", self.repair)
        if self.corr is not None:
            check_correlation(self.corr, size)
            if self.sd is not None and (len(self.sd) != size or any(not s > 0 for s in self.sd)):
                raise invalid("sd", f"sd needs {size} values, all greater than 0, got {self.sd}")
            check_psd(self.corr, "corr", self.repair)
        return self

    @override
    def output_names(self) -> list[str]:
        return list(self.columns)


class CopulaSpec(SamplerColumn):
    """Columns with their own marginals (any single-column distribution) joined by a Gaussian copula.

    ``corr`` is the Spearman rank correlation to reach (``correlation: spearman``), or the latent
    normal correlation (``correlation: latent``).
    """

    kind: Literal["copula"]
    columns: dict[str, Marginal] = Field(
        min_length=2, description="Column name -> marginal spec (with kind)."
    )
    corr: list[list[float]]
    correlation: Literal["spearman", "latent"] = "spearman"
    repair: bool = False

    @model_validator(mode="before")
    @classmethod
    def _name_marginals(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("columns"), dict):
            columns = {
                k: ({**v, "name": k} if isinstance(v, dict) else v) for k, v in data["columns"].items()
            }
            data = {**data, "columns": columns}
        return data

    @model_validator(mode="after")
    def _check(self) -> CopulaSpec:
        check_correlation(self.corr, len(self.columns))
        check_psd(self.latent_corr(), "corr", self.repair)
        return self

    def latent_corr(self) -> list[list[float]]:
        """Correlation of the underlying normals; Spearman rho_s maps to 2 sin(pi rho_s / 6)."""
        if self.correlation == "latent":
            return self.corr
        return [[2 * math.sin(math.pi * v / 6) for v in row] for row in self.corr]

    @override
    def output_names(self) -> list[str]:
        return list(self.columns)

    @override
    def value_schemas(self) -> list[ColumnSchema]:
        return [s for m in self.columns.values() for s in m.column_schemas()]

    def null_rates(self) -> dict[str, float]:
        """Each marginal's own ``null_rate``, else the group's."""
        rates = {name: m.null_rate or self.null_rate for name, m in self.columns.items()}
        return {name: rate for name, rate in rates.items() if rate > 0}


MULTIVARIATE_SPECS = (MultivariateNormalSpec, CopulaSpec)
