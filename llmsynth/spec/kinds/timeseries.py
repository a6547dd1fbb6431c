"""ARMA time series (rows depend on the rows before them), sampled by ``scaffold/timeseries.py``."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator, model_validator
from typing_extensions import override

from llmsynth.spec.base import StrictModel
from llmsynth.spec.kinds.base import SamplerColumn, invalid
from llmsynth.spec.schema import ColumnSchema


class Seasonality(StrictModel):
    """A repeating pattern added to the series: its period and the amplitude of each step."""
    period: int = Field(ge=2, description="Steps per cycle (12 for monthly data with a yearly cycle).")
    amplitude: float = Field(description="Height of the sine wave added to the series.")


def ar_roots_min_modulus(ar: list[float]) -> float:
    """Smallest |root| of 1 - phi_1 z - ... - phi_p z^p; above 1 means stationary."""
    import numpy as np

    roots = np.roots([-c for c in reversed(ar)] + [1.0])
    return float(np.abs(roots).min()) if len(roots) else float("inf")


class ArmaSpec(SamplerColumn):
    """ARMA(p, q) series: x_t = mean + trend * t + season + sum(ar_i x_{t-i}) + e_t + sum(ma_j e_{t-j})."""

    kind: Literal["arma"]
    name: str = Field(description="The value column.")
    ar: list[float] = Field(default_factory=list, description="AR coefficients phi_1..phi_p.")
    ma: list[float] = Field(default_factory=list, description="MA coefficients theta_1..theta_q.")
    mean: float = 0.0
    sd: float = Field(default=1.0, gt=0, description="Standard deviation of the innovations e_t.")
    trend: float = Field(default=0.0, description="Added per time step.")
    seasonality: Seasonality | None = None
    series: int = Field(default=1, ge=1, description="Independent series, stacked one after another.")
    length: int | None = Field(default=None, ge=2, description="Steps per series; fixes the table length.")
    series_column: str | None = Field(default=None, description="Column numbering the series (0, 1, ...).")
    time_column: str | None = Field(default=None, description="Column with each step's timestamp.")
    start: dt.datetime = Field(default=dt.datetime(2024, 1, 1), description="Timestamp of the first step.")
    freq: str = Field(default="D", description="pandas frequency between steps: D, h, W, MS, ...")
    burnin: int = Field(
        default=200, ge=0, description="Steps drawn and dropped so each series starts stationary."
    )
    allow_nonstationary: bool = False

    @field_validator("freq")
    @classmethod
    def _check_freq(cls, value: str) -> str:
        from pandas.tseries.frequencies import to_offset  # lazy: only ARMA specs pay for pandas here

        try:
            to_offset(value)
        except ValueError as exc:
            raise ValueError(f"'{value}' is not a pandas frequency (try D, h, W, MS)") from exc
        return value

    @model_validator(mode="after")
    def _check(self) -> ArmaSpec:
        if self.ar and not self.allow_nonstationary:
            modulus = ar_roots_min_modulus(self.ar)
            if modulus <= 1 + 1e-9:
                raise invalid(
                    "ar",
                    f"AR part {self.ar} is not stationary (a root of its polynomial has modulus"
                    f" {modulus:.3g}); use smaller coefficients or set allow_nonstationary: true",
                )
        if self.series > 1 and not self.series_column:
            raise invalid("series_column", "several series need a 'series_column' to tell them apart")
        names = self.output_names()
        if len(set(names)) != len(names):
            raise invalid("time_column", f"name, series_column and time_column must differ: {names}")
        return self

    @override
    def output_names(self) -> list[str]:
        return [c for c in (self.series_column, self.time_column) if c] + [self.name]

    def null_rates(self) -> dict[str, float]:
        """Only the values go missing; series numbers and timestamps stay."""
        return {self.name: self.null_rate} if self.null_rate > 0 else {}

    @override
    def value_schemas(self) -> list[ColumnSchema]:
        schemas = (
            [ColumnSchema(name=self.series_column, type="integer", minimum=0, maximum=self.series - 1)]
            if self.series_column
            else []
        )
        if self.time_column:
            schemas.append(ColumnSchema(name=self.time_column, type="datetime"))
        return [*schemas, ColumnSchema(name=self.name, type="number")]


TIMESERIES_SPECS = (ArmaSpec,)
