from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.integrate
import scipy.stats

from llmsynth.errors import SpecError
from llmsynth.spec import load_spec

DENSITY = "exp(-x**2 / 2) * (1 + sin(3 * x)**2)"


def density_cdf(x: np.ndarray) -> np.ndarray:
    grid = np.linspace(-4, 4, 200_001)
    pdf = np.exp(-(grid**2) / 2) * (1 + np.sin(3 * grid) ** 2)
    cdf = scipy.integrate.cumulative_trapezoid(pdf, grid, initial=0)
    return np.interp(x, grid, cdf / cdf[-1])


@pytest.mark.parametrize("method", ["rejection", "inverse"])
def test_density_samples_match_the_density(draw: Any, method: str) -> None:
    column = {"kind": "density", "name": "v", "density": DENSITY, "low": -4, "high": 4, "method": method}
    frame, samplers, _ = draw([column], 20_000, seed=2)
    assert scipy.stats.kstest(frame["v"], density_cdf).pvalue > 1e-3
    sampler = samplers["v"]
    if method == "rejection":
        # expected rate = area under the density / area of the flat envelope (max * 1.05 * width)
        grid = np.linspace(-4, 4, 100_001)
        pdf = np.exp(-(grid**2) / 2) * (1 + np.sin(3 * grid) ** 2)
        expected = scipy.integrate.trapezoid(pdf, grid) / (sampler.pdf_.max() * 1.05 * 8)
        assert sampler.acceptance_rate_ == pytest.approx(expected, rel=0.03)
        assert sampler.diagnostics() == {"acceptance_rate": sampler.acceptance_rate_}
    else:
        assert sampler.acceptance_rate_ == 1.0
    (promise,) = sampler.promises()
    assert np.abs(np.asarray(promise.cdf) - density_cdf(np.asarray(promise.xs))).max() < 1e-3


def test_empirical_inverse_from_a_csv_file_reproduces_the_sample(tmp_path: Path, draw: Any) -> None:
    sample = np.random.default_rng(0).gamma(3, 2, size=4000)
    (tmp_path / "sample.csv").write_text("spend\n" + "\n".join(f"{v:.6f}" for v in sample))
    spec_file = tmp_path / "spec.yaml"
    spec_file.write_text("columns:\n  - {kind: empirical, name: spend, file: sample.csv}\n")
    spec = load_spec(spec_file)
    from llmsynth.scaffold import build_sampler

    sampler = build_sampler(spec.columns[0], spec)
    values = sampler.sample(20_000, np.random.default_rng(1), None)["spend"]
    assert scipy.stats.ks_2samp(values, sample).pvalue > 1e-3
    assert values.min() >= sample.min()
    assert values.max() <= sample.max()


def test_empirical_histogram_by_rejection_reports_acceptance(draw: Any) -> None:
    column = {
        "kind": "empirical",
        "name": "h",
        "histogram": {"edges": [0, 1, 2, 4], "counts": [1, 3, 2]},
        "method": "rejection",
    }
    frame, samplers, _ = draw([column], 30_000)
    counts = np.histogram(frame["h"], bins=[0, 1, 2, 4])[0] / 30_000
    assert np.allclose(counts, [1 / 6, 3 / 6, 2 / 6], atol=0.01)
    # heights 1/6, 3/6, 1/6 over width 4 under a flat 3/6 * 1.05 envelope
    assert samplers["h"].acceptance_rate_ == pytest.approx(1 / (0.5 * 1.05 * 4), rel=0.03)


def test_empty_sample_file_is_a_spec_error(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("spend\n")
    spec_file = tmp_path / "spec.yaml"
    spec_file.write_text("columns:\n  - {kind: empirical, name: spend, file: empty.csv}\n")
    spec = load_spec(spec_file)
    from llmsynth.scaffold import build_sampler

    with pytest.raises(SpecError, match=r"column 'spend': file empty\.csv holds no complete rows"):
        build_sampler(spec.columns[0], spec)


def test_negative_density_is_refused(draw: Any) -> None:
    with pytest.raises(SpecError, match="column 'v': the density must be finite and >= 0"):
        draw([{"kind": "density", "name": "v", "density": "x", "low": -1, "high": 1}], 10)
