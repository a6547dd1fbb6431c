"""Drawing and saving: each guide example's picture is written and shows the right figures."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from llmsynth.errors import InputDataError
from llmsynth.plots import plot_table, save_plot
from llmsynth.spec import DatasetSpec

Table = Callable[[str], tuple[DatasetSpec, pd.DataFrame]]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
STEMS = ["01_normal", "02_monte_carlo", "03_mvnormal", "04_linear", "05_mixture", "06_tree", "08_fixed_total",
         "09_correlation", "10_random_graph", "11_arma", "12_responsible_use"]


def _swap(pair: tuple[DatasetSpec, pd.DataFrame]) -> tuple[pd.DataFrame, DatasetSpec]:
    return pair[1], pair[0]


@pytest.mark.parametrize("stem", STEMS)
def test_every_guide_picture_is_written(guide_table: Table, stem: str, tmp_path: Path) -> None:
    spec, data = guide_table(stem)
    if stem == "02_monte_carlo":
        reference = pd.DataFrame({"wait_minutes": np.random.default_rng(0).normal(10, 2, 2000)})
    else:
        reference = None
    path = save_plot(data, tmp_path / f"{stem}.png", spec, reference) and tmp_path / f"{stem}.png"

    content = path.read_bytes()
    assert content.startswith(PNG_MAGIC)
    assert 5_000 < len(content) < 200_000


def test_histogram_draws_the_declared_density(guide_table: Table) -> None:
    figure, picture = plot_table(*_swap(guide_table("01_normal")))

    axes = figure.axes[0]
    assert picture.name == "histogram"
    assert len(axes.patches) == 30  # 30 bins
    (line,) = axes.get_lines()
    assert max(line.get_ydata()) == pytest.approx(1 / np.sqrt(2 * np.pi), rel=1e-3)  # N(0, 1) peak


def test_monte_carlo_histogram_draws_the_tabulated_density(guide_table: Table) -> None:
    spec, data = guide_table("02_monte_carlo")
    figure, _ = plot_table(data, spec, picture="histogram")

    (line,) = figure.axes[0].get_lines()
    peak = line.get_xdata()[np.argmax(line.get_ydata())]
    assert abs(peak - 10) < 0.2
    assert max(line.get_ydata()) == pytest.approx(1 / (2 * np.sqrt(2 * np.pi)), rel=0.02)  # N(10, 2) peak


def test_fit_reports_the_slope(guide_table: Table) -> None:
    spec, data = guide_table("04_linear")
    figure, _ = plot_table(data, spec)

    title = figure.axes[0].get_title()
    slope = float(title.split(",")[0].removeprefix("slope "))
    assert abs(slope - 2.5) < 0.05


def test_correlation_shows_requested_and_achieved(guide_table: Table) -> None:
    figure, _ = plot_table(*_swap(guide_table("09_correlation")))

    requested, achieved = figure.axes[0], figure.axes[1]
    assert requested.get_title() == "requested"
    assert requested.images[0].get_array()[0, 1] == pytest.approx(0.8)
    assert "max error" in achieved.get_title()
    error = float(achieved.get_title().split("max error ")[1].rstrip(")"))
    assert error <= 0.06


def test_mixture_side_by_side_shares_axes(guide_table: Table) -> None:
    figure, _ = plot_table(*_swap(guide_table("05_mixture")))

    left, right = figure.axes
    assert left.get_xlim() == right.get_xlim()
    assert left.get_ylim() == right.get_ylim()
    assert left.get_title() == "reference (n=200)"


def test_graph_keeps_isolated_nodes() -> None:
    from llmsynth.spec import spec_from_dict

    spec = spec_from_dict({"columns": [{"kind": "graph", "model": "erdos_renyi", "nodes": 10, "p": 0.3}]})
    edges = pd.DataFrame({"source": [0, 1], "target": [1, 2]})
    figure, picture = plot_table(edges, spec)

    assert picture.name == "graph"
    assert figure.axes[0].get_title() == "10 nodes, 2 edges"


def test_tree_picture_marks_leaf_probabilities(guide_table: Table) -> None:
    figure, _ = plot_table(*_swap(guide_table("06_tree")))

    rates = figure.axes[1]
    (markers,) = rates.get_lines()
    leaves = markers.get_ydata()
    assert len(leaves) == 4
    assert leaves[0] < 0.3 < leaves[-1]


def test_overlay_without_reference_is_an_input_error() -> None:
    frame = pd.DataFrame({"v": np.arange(10.0)})
    with pytest.raises(InputDataError, match="reference"):
        plot_table(frame, picture="overlay")


@pytest.mark.parametrize("suffix", [".svg", ".pdf"])
def test_vector_formats(tmp_path: Path, suffix: str) -> None:
    frame = pd.DataFrame({"v": np.arange(50.0)})
    path = tmp_path / f"v{suffix}"
    save_plot(frame, path)

    assert path.stat().st_size > 1000


def test_unknown_format_is_an_input_error(tmp_path: Path) -> None:
    frame = pd.DataFrame({"v": np.arange(10.0)})
    with pytest.raises(InputDataError, match=r"\.png, \.svg, \.pdf"):
        save_plot(frame, tmp_path / "v.jpg")
    assert not (tmp_path / "v.jpg").exists()


def test_import_llmsynth_stays_light() -> None:
    code = "import sys, llmsynth; print(any(m.startswith('matplotlib') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
