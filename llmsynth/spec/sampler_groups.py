"""Multi-column samplers: multivariate normal, Gaussian copula, fixed-sum (Dirichlet) and Gaussian mixture."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, Union

from pydantic import Field, model_validator

from llmsynth.spec.sampler_basic import BooleanSpec, CategoricalSpec, IntegerSpec
from llmsynth.spec.sampler_common import DataSource, SamplerColumn, check_matrix, invalid, min_eigenvalue
from llmsynth.spec.sampler_dists import DIST_SPECS
from llmsynth.spec.sampler_fitted import FITTED_SPECS
from llmsynth.spec.schema import ColumnSchema, SumConstraint

_PSD_TOLERANCE = 1e-10

Marginal = Annotated[
    Union[(*DIST_SPECS, *FITTED_SPECS, CategoricalSpec, BooleanSpec, IntegerSpec)],  # type: ignore[valid-type]
    Field(discriminator="kind"),
]


def check_psd(rows: list[list[float]], what: str, repair: bool) -> None:
    smallest = min_eigenvalue(rows)
    if smallest < -_PSD_TOLERANCE and not repair:
        raise invalid(
            what,
            f"is not positive semi-definite (smallest eigenvalue {smallest:.4g}); fix it or set "
            "repair: true to use the nearest valid matrix",
        )


def check_correlation(rows: list[list[float]], size: int, what: str = "corr") -> None:
    check_matrix(rows, size, what)
    for i, row in enumerate(rows):
        if abs(row[i] - 1) > 1e-9:
            raise invalid(what, f"must have 1 on the diagonal, got {row[i]} at [{i}][{i}]")
        if any(not -1 <= v <= 1 for v in row):
            raise invalid(what, f"entries must lie in [-1, 1] (row {i}: {row})")


def _unique(names: list[str]) -> None:
    if len(set(names)) != len(names):
        raise invalid("columns", f"columns repeat a name: {names}")


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
        _unique(self.columns)
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

    def output_names(self) -> list[str]:
        return list(self.columns)

    def value_schemas(self) -> list[ColumnSchema]:
        return [s for m in self.columns.values() for s in m.column_schemas()]

    def null_rates(self) -> dict[str, float]:
        """Each marginal's own ``null_rate``, else the group's."""
        rates = {name: m.null_rate or self.null_rate for name, m in self.columns.items()}
        return {name: rate for name, rate in rates.items() if rate > 0}


class FixedSumSpec(SamplerColumn):
    """Columns that add up to ``total`` (or to another column) in every row: Dirichlet shares, scaled.

    With ``round: d`` (``integer: true`` is ``round: 0``) the parts are rounded to ``d`` decimals by
    largest remainder, so the rounded parts still add up exactly to the total (which may have at most
    ``d`` decimals): money with cents splits to the cent.
    """

    kind: Literal["fixed_sum"]
    columns: list[str] = Field(min_length=2)
    alpha: float | list[float] = Field(
        default=1.0, description="Dirichlet concentration(s); larger = more even."
    )
    total: float | None = Field(default=None, description="The sum every row reaches.")
    total_column: str | None = Field(default=None, description="Existing column holding each row's total.")
    output_total: str | None = Field(default=None, description="Also write the row total as this column.")
    integer: bool = Field(default=False, description="Whole-number parts (the same as round: 0).")
    round: int | None = Field(
        default=None, ge=0, le=12, description="Round parts to this many decimals; they still sum exactly."
    )

    @model_validator(mode="after")
    def _check(self) -> FixedSumSpec:
        _unique(self.columns)
        alphas = self.alphas()
        if len(alphas) != len(self.columns):
            raise invalid(
                "alpha", f"alpha needs {len(self.columns)} values (one per column), got {len(alphas)}"
            )
        if any(not a > 0 or not math.isfinite(a) for a in alphas):
            raise invalid("alpha", f"alpha values must be greater than 0, got {alphas}")
        if (self.total is None) == (self.total_column is None):
            raise invalid("total", "give either 'total' or 'total_column'")
        if self.integer and self.round not in (None, 0):
            raise invalid("round", f"integer: true means round: 0, not round: {self.round}")
        if self.null_rate:
            raise invalid("null_rate", "parts of a fixed sum cannot be missing: they must add up")
        if self.total is not None:
            if not self.total > 0 or not math.isfinite(self.total):
                raise invalid("total", f"total must be greater than 0, got {self.total}")
            if self.integer and not float(self.total).is_integer():
                raise invalid("total", f"integer: true needs a whole-number total, got {self.total}")
            if self.decimals is not None and not has_decimals(self.total, self.decimals):
                raise invalid("total", f"round: {self.decimals} needs a total with at most {self.decimals} decimals")
        return self

    @property
    def decimals(self) -> int | None:
        """Decimals the parts are rounded to (0 for integers), or None for unrounded floats."""
        return 0 if self.integer else self.round

    def alphas(self) -> list[float]:
        return [float(self.alpha)] * len(self.columns) if isinstance(self.alpha, int | float) else self.alpha

    def output_names(self) -> list[str]:
        return [*self.columns, *([self.output_total] if self.output_total else [])]

    def dependencies(self) -> set[str]:
        return {self.total_column} if self.total_column else set()

    def value_schemas(self) -> list[ColumnSchema]:
        kind = "integer" if self.decimals == 0 else "number"
        schemas = [ColumnSchema(name=c, type=kind, minimum=0, maximum=self.total) for c in self.columns]
        if self.output_total:
            schemas.append(ColumnSchema(name=self.output_total, type=kind, minimum=0))
        return schemas

    def row_constraints(self) -> list[SumConstraint]:
        total_column = self.total_column or self.output_total
        return [
            SumConstraint(
                columns=tuple(self.columns),
                total=self.total,
                total_column=total_column if self.total is None else None,
                # rounded parts add up exactly; the validator allows float noise (1e-12 of the total)
                tolerance=0 if self.decimals is not None else 1e-6,
            )
        ]


def has_decimals(value: float, decimals: int) -> bool:
    """Whether ``value`` has at most ``decimals`` decimals (up to float representation)."""
    scaled = value * 10**decimals
    return abs(scaled - round(scaled)) <= 1e-9 * max(1.0, abs(scaled))


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
        _unique(self.columns)
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

    def output_names(self) -> list[str]:
        return list(self.columns)


GROUP_SPECS = (MultivariateNormalSpec, CopulaSpec, FixedSumSpec, MixtureSpec)
