"""Examples 5 (Gaussian mixture) and 6 (generative decision tree): what is learned from the
reference data carries over to the new rows. The committed reference CSVs are the output of
their reference specs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.mixture import GaussianMixture

import llmsynth
from llmsynth.scaffold.registry import build_sampler
from llmsynth.spec import DatasetSpec
from llmsynth.spec.kinds import MixtureSpec, TreeSpec

Loader = Callable[[str], DatasetSpec]

TRUE_MEANS = np.array([[0.0, 0.0], [5.0, 5.0]])


def _sorted(means: np.ndarray) -> np.ndarray:
    return means[np.argsort(means[:, 0])]


@pytest.mark.parametrize(
    ("spec_name", "csv_name"),
    [("05_clusters_reference.yaml", "05_clusters_reference.csv"),
     ("06_tree_reference.yaml", "06_tree_reference.csv")],
    ids=["clusters", "tree"],
)
def test_committed_reference_is_the_spec_output(
    spec_name: str, csv_name: str, load: Loader, guide: Path
) -> None:
    generated = llmsynth.generate(load(spec_name))
    committed = pd.read_csv(guide / "data" / csv_name)

    pd.testing.assert_frame_equal(generated, committed, check_dtype=False, atol=1e-9, rtol=0)


def test_clusters_reference_has_two_groups_of_100(guide: Path) -> None:
    reference = pd.read_csv(guide / "data" / "05_clusters_reference.csv")

    assert reference["cluster"].value_counts().to_dict() == {0: 100, 1: 100}
    spread = reference.groupby("cluster")[["x", "y"]].std().to_numpy()
    assert np.abs(spread - [[1.0, 1.0], [1.5, 1.5]]).max() < 0.3


def test_mixture_recovers_component_means(load: Loader) -> None:
    spec = load("05_mixture.yaml")
    column = spec.columns[0]
    assert isinstance(column, MixtureSpec)
    sampler = build_sampler(column, spec)
    data = llmsynth.generate(spec)

    assert len(data) == 200
    assert np.abs(_sorted(sampler.means_) - TRUE_MEANS).max() <= 0.5  # type: ignore[attr-defined]
    refit = GaussianMixture(2, random_state=0, n_init=3).fit(data[["x", "y"]].to_numpy())
    assert np.abs(_sorted(refit.means_) - TRUE_MEANS).max() <= 0.5


def _leaf_probabilities(spec: DatasetSpec) -> dict[tuple[int, int], float]:
    column = spec.columns[2]
    assert isinstance(column, TreeSpec)
    sampler = build_sampler(column, spec)
    cells = pd.DataFrame([(a, b) for a in (0, 1) for b in (0, 1)], columns=["Feature1", "Feature2"])
    proba = sampler.probabilities(cells)  # type: ignore[attr-defined]
    positive = [str(c) for c in sampler.classes_].index("1")  # type: ignore[attr-defined]
    keys = cells.itertuples(index=False)
    return {(a, b): float(p) for (a, b), p in zip(keys, proba[:, positive], strict=True)}


def test_tree_leaves_are_the_reference_cell_rates(load: Loader, guide: Path) -> None:
    spec = load("06_tree.yaml")
    reference = pd.read_csv(guide / "data" / "06_tree_reference.csv")
    observed = reference.groupby(["Feature1", "Feature2"])["Label"].mean()

    leaves = _leaf_probabilities(spec)
    for cell, probability in leaves.items():
        assert probability == pytest.approx(observed[cell], abs=1e-12)
    assert leaves[(0, 0)] < 0.3 < leaves[(1, 1)]  # the label really depends on the features


def _cell_rates(data: pd.DataFrame) -> pd.DataFrame:
    return data.assign(positive=data["Label"].astype(str) == "1").groupby(["Feature1", "Feature2"])[
        "positive"
    ].agg(["mean", "sum", "count"])


def test_tree_labels_match_leaf_probabilities(load: Loader) -> None:
    spec = load("06_tree.yaml")
    leaves = _leaf_probabilities(spec)
    data = llmsynth.generate(spec)

    assert len(data) == 100
    assert set(data["Label"].astype(str)) <= {"0", "1"}
    for cell, row in _cell_rates(data).iterrows():
        # about 25 rows per cell: each cell's count is consistent with its leaf's probability
        assert stats.binomtest(int(row["sum"]), int(row["count"]), leaves[cell]).pvalue > 0.01, cell
    many = _cell_rates(llmsynth.generate(spec, rows=8000))
    for cell, row in many.iterrows():
        assert abs(row["mean"] - leaves[cell]) <= 0.04, (cell, row["mean"], leaves[cell])
