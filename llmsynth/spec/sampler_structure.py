"""Samplers whose rows depend on each other (ARMA time series, random graphs) and the learned
decision-tree labeller."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator, model_validator

from llmsynth.spec.base import StrictModel
from llmsynth.spec.sampler_common import DataSource, SamplerColumn, invalid
from llmsynth.spec.schema import ColumnSchema


class Seasonality(StrictModel):
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

    def output_names(self) -> list[str]:
        return [c for c in (self.series_column, self.time_column) if c] + [self.name]

    def null_rates(self) -> dict[str, float]:
        """Only the values go missing; series numbers and timestamps stay."""
        return {self.name: self.null_rate} if self.null_rate > 0 else {}

    def value_schemas(self) -> list[ColumnSchema]:
        schemas = (
            [ColumnSchema(name=self.series_column, type="integer", minimum=0, maximum=self.series - 1)]
            if self.series_column
            else []
        )
        if self.time_column:
            schemas.append(ColumnSchema(name=self.time_column, type="datetime"))
        return [*schemas, ColumnSchema(name=self.name, type="number")]


GraphModel = Literal["erdos_renyi", "barabasi_albert", "watts_strogatz"]


class GraphSpec(SamplerColumn):
    """A random graph as an edge table (rows = edges) or a node table (node id, degree)."""

    kind: Literal["graph"]
    model: GraphModel
    nodes: int = Field(ge=2, le=10_000_000)
    p: float | None = Field(
        default=None, ge=0, le=1, description="Edge (erdos_renyi) or rewiring probability."
    )
    m: int | None = Field(default=None, ge=1, description="Edges per new node (barabasi_albert).")
    k: int | None = Field(default=None, ge=2, description="Neighbours in the starting ring (watts_strogatz).")
    output: Literal["edges", "nodes"] = "edges"
    columns: list[str] | None = Field(
        default=None, description="Output names: [source, target] for edges, [node, degree] for nodes."
    )
    id_prefix: str | None = Field(
        default=None, description="Write node ids as strings, e.g. 'u' -> u0, u1, ..."
    )

    @model_validator(mode="after")
    def _check(self) -> GraphSpec:
        need = {"erdos_renyi": ("p",), "barabasi_albert": ("m",), "watts_strogatz": ("k", "p")}[self.model]
        missing = [n for n in need if getattr(self, n) is None]
        if missing:
            raise invalid("model", f"model {self.model} needs {' and '.join(missing)}")
        extra = [n for n in ("p", "m", "k") if n not in need and getattr(self, n) is not None]
        if extra:
            raise invalid("model", f"model {self.model} does not use {', '.join(extra)}")
        for n in ("m", "k"):
            value = getattr(self, n)
            if value is not None and value >= self.nodes:
                raise invalid(n, f"{n} ({value}) must be below nodes ({self.nodes})")
        if self.columns is not None and (len(self.columns) != 2 or self.columns[0] == self.columns[1]):
            raise invalid("columns", f"columns needs two different names, got {self.columns}")
        if self.null_rate:
            raise invalid("null_rate", "a graph's node ids and degrees cannot be missing")
        return self

    def output_names(self) -> list[str]:
        return list(self.columns or (["source", "target"] if self.output == "edges" else ["node", "degree"]))

    def params(self) -> dict[str, float | int]:
        return {n: v for n in ("p", "m", "k") if (v := getattr(self, n)) is not None}

    def value_schemas(self) -> list[ColumnSchema]:
        first, second = self.output_names()
        last = self.nodes - 1

        def node(name: str, unique: bool = False) -> ColumnSchema:
            if self.id_prefix is not None:
                return ColumnSchema(name=name, type="string", unique=unique)
            return ColumnSchema(name=name, type="integer", minimum=0, maximum=last, unique=unique)

        if self.output == "edges":
            return [node(first), node(second)]
        return [node(first, unique=True), ColumnSchema(name=second, type="integer", minimum=0, maximum=last)]


class TreeSpec(SamplerColumn, DataSource):
    """Labels from a decision tree fitted on sample data: each row's label is drawn from its leaf's
    class frequencies (not the majority class), so the rule and its noise both carry over."""

    kind: Literal["tree"]
    name: str = Field(description="The label column to generate.")
    features: list[str] = Field(min_length=1, description="Already generated columns the tree reads.")
    target: str | None = Field(default=None, description="Label column in the sample data (default: name).")
    max_depth: int | None = Field(default=4, ge=1)
    min_samples_leaf: int = Field(default=5, ge=1)
    classes: list[str] | None = Field(default=None, description="Allowed labels, for validation.")

    @model_validator(mode="after")
    def _check(self) -> TreeSpec:
        if not self.has_data():
            raise invalid("rows", "a tree needs sample data: 'file' or 'rows'")
        if self.name in self.features:
            raise invalid("features", f"'{self.name}' cannot be its own feature")
        if self.rows is not None:
            wanted = [*self.features, self.target or self.name]
            missing = sorted({c for c in wanted if any(c not in r for r in self.rows)})
            if missing:
                raise invalid("rows", f"rows lack column(s) {', '.join(missing)}")
        return self

    def dependencies(self) -> set[str]:
        return set(self.features)

    def value_schemas(self) -> list[ColumnSchema]:
        if self.classes:
            return [ColumnSchema(name=self.name, type="choice", choices=tuple(self.classes))]
        return [ColumnSchema(name=self.name, type="string")]


STRUCTURE_SPECS = (ArmaSpec, GraphSpec, TreeSpec)
