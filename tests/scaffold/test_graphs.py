from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from llmsynth.errors import SpecError


def degrees(frame: Any, nodes: int) -> np.ndarray:
    return np.bincount(frame[["source", "target"]].to_numpy().ravel(), minlength=nodes)


def table(draw: Any, seed: int = 0, **params: Any) -> tuple[Any, Any]:
    spec = {"kind": "graph", **params}
    from llmsynth.scaffold import build_sampler
    from llmsynth.spec import spec_from_dict

    dataset = spec_from_dict({"seed": seed, "columns": [spec]})
    sampler = build_sampler(dataset.columns[0], dataset)
    rows = sampler.fixed_rows()
    frame, samplers, _ = draw([spec], rows, seed=seed)
    return frame, samplers[", ".join(frame.columns)]


def test_barabasi_albert_degrees_are_heavy_tailed_unlike_erdos_renyi(draw: Any) -> None:
    ba, sampler = table(draw, model="barabasi_albert", nodes=5000, m=2)
    assert len(ba) == 2 * (5000 - 2)
    assert sampler.fixed_rows() == len(ba)
    er, _ = table(draw, model="erdos_renyi", nodes=5000, p=4 / 4999)
    ba_deg, er_deg = degrees(ba, 5000), degrees(er, 5000)
    assert ba_deg.mean() == pytest.approx(er_deg.mean(), rel=0.05)  # same mean degree ...
    assert ba_deg.max() > 5 * er_deg.max()  # ... but hubs only in the preferential-attachment graph
    # tail: P(deg >= k) ~ k^-2 for BA; the log-log slope of the survival function is near -2
    ks = np.array([4, 8, 16, 32])
    survival = np.array([(ba_deg >= k).mean() for k in ks])
    slope = np.polyfit(np.log(ks), np.log(survival), 1)[0]
    assert -2.6 < slope < -1.5


def test_erdos_renyi_edge_count_and_watts_strogatz_ring(draw: Any) -> None:
    er, _ = table(draw, model="erdos_renyi", nodes=400, p=0.05, seed=4)
    expected, sd = 0.05 * 400 * 399 / 2, np.sqrt(0.05 * 0.95 * 400 * 399 / 2)
    assert abs(len(er) - expected) < 4 * sd
    ws, _ = table(draw, model="watts_strogatz", nodes=300, k=6, p=0.1)
    assert len(ws) == 300 * 6 // 2
    assert (ws["source"] != ws["target"]).all()


def test_nodes_table_matches_the_edges_of_the_same_graph(draw: Any) -> None:
    edges, _ = table(draw, model="barabasi_albert", nodes=500, m=3, id_prefix="u", seed=9)
    nodes, _ = table(draw, model="barabasi_albert", nodes=500, m=3, id_prefix="u", output="nodes", seed=9)
    assert list(nodes.columns) == ["node", "degree"]
    assert nodes["node"].iloc[:2].tolist() == ["u0", "u1"]
    counted = edges["source"].value_counts().add(edges["target"].value_counts(), fill_value=0)
    assert (nodes.set_index("node")["degree"] == counted.reindex(nodes["node"]).fillna(0)).all()
    other, _ = table(draw, model="barabasi_albert", nodes=500, m=3, id_prefix="u", seed=10)
    assert not edges.equals(other)


def test_graph_parameters_are_checked(draw: Any) -> None:
    with pytest.raises(
        SpecError, match=r"column 'columns\[0\]': field 'model': model barabasi_albert needs m"
    ):
        draw([{"kind": "graph", "model": "barabasi_albert", "nodes": 10}], 10)
    with pytest.raises(SpecError, match=r"m \(10\) must be below nodes \(10\)"):
        draw([{"kind": "graph", "model": "barabasi_albert", "nodes": 10, "m": 10}], 10)
