"""One plotting home: the HTML report and ``llmsynth plot`` draw the same declared curve for a column."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import stats

import llmsynth.plots.canvas as canvas
from llmsynth import generate
from llmsynth.evals import evaluate
from llmsynth.plots import plot_table
from llmsynth.spec import spec_from_dict

TRUNCATED = {
    "name": "ages",
    "rows": 3000,
    "seed": 3,
    "columns": [{"name": "age", "kind": "truncnormal", "mean": 30, "sd": 15, "low": 18, "high": 70}],
}


def _declared(figure: Any) -> tuple[np.ndarray, np.ndarray]:
    (line,) = [line for axes in figure.axes for line in axes.get_lines() if line.get_label() == "declared density"]
    return np.asarray(line.get_xdata(), dtype=float), np.asarray(line.get_ydata(), dtype=float)


def test_report_and_plot_command_draw_the_same_truncated_curve(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = spec_from_dict(TRUNCATED)
    data = generate(spec)
    drawn: list[Any] = []
    encode = canvas.png_base64
    monkeypatch.setattr(canvas, "png_base64", lambda figure, **kw: drawn.append(figure) or encode(figure, **kw))

    evaluate(data, spec).to_html()
    report_x, report_y = _declared(drawn[0])
    plot_x, plot_y = _declared(plot_table(data, spec, picture="histogram")[0])

    np.testing.assert_array_equal(report_x, plot_x)
    np.testing.assert_array_equal(report_y, plot_y)
    law = stats.truncnorm((18 - 30) / 15, (70 - 30) / 15, loc=30, scale=15)
    np.testing.assert_allclose(plot_y, law.pdf(plot_x), rtol=1e-12)  # renormalised to [18, 70], not N(30, 15)
    assert plot_y.max() > stats.norm(30, 15).pdf(30) * 1.2
