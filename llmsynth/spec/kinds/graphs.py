"""Random graphs as tables (edge lists or node attributes), sampled by ``scaffold/graphs.py``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from typing_extensions import override

from llmsynth.spec.kinds.base import SamplerColumn, invalid
from llmsynth.spec.schema import ColumnSchema

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

    @override
    def output_names(self) -> list[str]:
        return list(self.columns or (["source", "target"] if self.output == "edges" else ["node", "degree"]))

    def params(self) -> dict[str, float | int]:
        """The model's parameters as networkx takes them."""
        return {n: v for n in ("p", "m", "k") if (v := getattr(self, n)) is not None}

    @override
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


GRAPH_SPECS = (GraphSpec,)
