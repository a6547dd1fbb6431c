"""Random graphs from networkx models as an edge table (rows = edges) or a node table (id, degree).

The graph is drawn in ``fit`` (its edge count sets the table length before sampling starts) from the
sampler's fit stream. Its stream key is the model and parameters, not the column names, so an edges
spec and a nodes spec with the same seed describe the same graph.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from typing_extensions import override

from llmsynth.errors import GenerationError
from llmsynth.scaffold.base import Sampler
from llmsynth.scaffold.promises import GraphPromise, Promise
from llmsynth.spec.kinds.graphs import GraphSpec


def draw_graph(model: str, nodes: int, params: dict[str, float | int], rng: np.random.Generator) -> object:
    """A networkx random graph of the named model, drawn from ``rng``."""
    import networkx as nx

    if model == "erdos_renyi":
        p = float(params["p"])
        # the fast generator is O(n + m): much quicker for sparse graphs, same distribution
        make = nx.fast_gnp_random_graph if p < 0.2 else nx.gnp_random_graph
        return make(nodes, p, seed=rng)
    if model == "barabasi_albert":
        return nx.barabasi_albert_graph(nodes, int(params["m"]), seed=rng)
    return nx.watts_strogatz_graph(nodes, int(params["k"]), float(params["p"]), seed=rng)


class GraphSampler(Sampler[GraphSpec]):
    """Edge lists or node tables of a random graph (the whole table at once: rows depend on each other)."""
    per_chunk = False

    @property
    def stream_key(self) -> str:
        """Keyed by the graph's columns, so a graph is the same whatever else the spec holds."""
        spec = self.spec
        return "graph:" + json.dumps([spec.model, spec.nodes, spec.params()], sort_keys=True)

    @override
    def fit(self) -> GraphSampler:
        spec = self.spec
        graph = draw_graph(spec.model, spec.nodes, spec.params(), self.fit_rng())
        edges = np.asarray(graph.edges(), dtype=np.int64).reshape(-1, 2)  # type: ignore[attr-defined]
        self.edges_ = edges
        self.degrees_ = np.bincount(edges.ravel(), minlength=spec.nodes).astype(np.int64)
        return self

    @override
    def fixed_rows(self) -> int:
        return len(self.edges_) if self.spec.output == "edges" else self.spec.nodes

    def _ids(self, numbers: np.ndarray) -> object:
        prefix = self.spec.id_prefix
        return numbers if prefix is None else pd.Series([f"{prefix}{i}" for i in numbers], dtype=object)

    @override
    def sample(self, n: int, rng: np.random.Generator, context: pd.DataFrame | None) -> pd.DataFrame:
        first, second = self.spec.output_names()
        if n != self.fixed_rows():
            raise GenerationError(
                f"graph '{self.spec.label}' has {self.fixed_rows()} {self.spec.output}, "
                f"not the {n} rows asked for"
            )
        if self.spec.output == "edges":
            return pd.DataFrame({first: self._ids(self.edges_[:, 0]), second: self._ids(self.edges_[:, 1])})
        return pd.DataFrame({first: self._ids(np.arange(self.spec.nodes)), second: self.degrees_})

    @override
    def diagnostics(self) -> dict[str, float]:
        return {
            "nodes": float(self.spec.nodes),
            "edges": float(len(self.edges_)),
            "mean_degree": float(self.degrees_.mean()),
        }

    @override
    def promises(self) -> list[Promise]:
        if self.spec.output != "edges":
            return []
        first, second = self.spec.output_names()
        params = {"nodes": self.spec.nodes, **self.spec.params()}
        return [GraphPromise(first, second, self.spec.model, params)]
