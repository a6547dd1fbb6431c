from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from llmsynth.errors import SpecError
from llmsynth.scaffold import build_sampler
from llmsynth.spec import load_spec


def two_clusters(n: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    first = rng.multivariate_normal([0, 0], [[1, 0.5], [0.5, 1]], size=int(n * 0.3))
    second = rng.multivariate_normal([6, 3], [[1, -0.3], [-0.3, 0.5]], size=n - int(n * 0.3))
    return np.vstack([first, second])


def test_fit_from_file_picks_components_by_bic_and_samples_like_the_data(tmp_path: Path) -> None:
    data = two_clusters(1500)
    (tmp_path / "points.csv").write_text("x,y\n" + "\n".join(f"{a},{b}" for a, b in data))
    (tmp_path / "spec.yaml").write_text(
        "columns:\n"
        "  - {kind: mixture, columns: [x, y], file: points.csv, components: auto, max_components: 4}\n"
    )
    spec = load_spec(tmp_path / "spec.yaml")
    sampler = build_sampler(spec.columns[0], spec)
    assert sampler.n_components_ == 2
    assert min(sampler.bic_, key=sampler.bic_.get) == 2
    assert sorted(np.round(sampler.weights_, 2)) == pytest.approx([0.3, 0.7], abs=0.02)
    out = sampler.sample(20_000, np.random.default_rng(1), None)
    assert np.allclose(out.mean(), data.mean(axis=0), atol=0.08)
    assert np.abs(out.corr().to_numpy() - np.corrcoef(data.T)).max() < 0.03
    promised = np.asarray(sampler.promises()[0].matrix)
    assert np.abs(out.corr().to_numpy() - promised).max() < 0.02


def test_given_parameters_and_inline_rows(draw: Any) -> None:
    column = {
        "kind": "mixture",
        "columns": ["v"],
        "weights": [0.25, 0.75],
        "means": [[-5], [5]],
        "covariances": [[[1]], [[4]]],
    }
    frame, _, _ = draw([column], 20_000)
    assert (frame["v"] < 0).mean() == pytest.approx(0.25, abs=0.01)
    assert frame.loc[frame["v"] > 0, "v"].std() == pytest.approx(2, rel=0.05)
    rows = [{"v": float(v)} for v in np.random.default_rng(3).normal(10, 2, size=300)]
    frame, _samplers, _ = draw([{"kind": "mixture", "columns": ["v"], "rows": rows, "components": 1}], 20_000)
    assert frame["v"].mean() == pytest.approx(10, abs=0.3)
    assert frame["v"].std() == pytest.approx(2, rel=0.1)


def test_bad_weights_and_missing_columns_are_named(draw: Any) -> None:
    with pytest.raises(SpecError, match=r"column 'v': .*weights must be >= 0 and sum to 1"):
        draw(
            [
                {
                    "kind": "mixture",
                    "columns": ["v"],
                    "weights": [0.5, 0.6],
                    "means": [[0], [1]],
                    "covariances": [[[1]], [[1]]],
                }
            ],
            10,
        )
    with pytest.raises(SpecError, match=r"column 'v, w': .*rows lack column\(s\) w"):
        draw([{"kind": "mixture", "columns": ["v", "w"], "rows": [{"v": 1}]}], 10)


def test_mixture_and_tree_fit_from_the_columns_own_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    """sklearn's random_state comes from the column's fit stream (keyed by seed and column), not the raw seed."""
    import sklearn.mixture
    import sklearn.tree

    from llmsynth.scaffold.registry import build_sampler
    from llmsynth.seeding import stream
    from llmsynth.spec import spec_from_dict

    seen: list[int] = []
    for module, name in ((sklearn.mixture, "GaussianMixture"), (sklearn.tree, "DecisionTreeClassifier")):
        original = getattr(module, name)

        def recording(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            seen.append(kwargs["random_state"])
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, recording)
    rows = [{"x": float(i % 7), "y": float(i % 5), "label": "a" if i % 3 else "b"} for i in range(40)]
    columns = [
        {"kind": "mixture", "columns": ["x", "y"], "components": 1, "rows": rows},
        {"kind": "tree", "name": "label", "features": ["x", "y"], "rows": rows},
    ]
    spec = spec_from_dict({"seed": 9, "columns": columns})
    samplers = [build_sampler(column, spec) for column in spec.columns]
    expected = [int(stream(9, f"fit:{s.stream_key}").integers(2**31 - 1)) for s in samplers]
    assert seen == expected  # one GaussianMixture (components: 1), then the tree
    assert expected[0] != expected[1]  # each column its own stream
