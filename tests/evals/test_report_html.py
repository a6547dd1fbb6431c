"""The HTML report leads with the verdict and pictures, is self-contained, and has no empty parts."""

from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from llmsynth.evals import evaluate
from llmsynth.plots.canvas import new_figure
from llmsynth.plots.columns import numeric_column
from llmsynth.scaffold.promises import DistributionPromise
from llmsynth.spec import spec_from_dict

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
RUN = {
    "rows_written": 600,
    "rejected": 4,
    "llm_rows": 604,
    "first_pass_valid": 590,
    "rejects_by_reason": {"segment: not one of the choices": 3, "job: too long": 1},
}


class _Collector(HTMLParser):
    """Sections in order, images, anything loaded from outside, and each column card's content."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.images: list[str] = []
        self.external: list[str] = []
        self.cards: dict[str, list[str]] = {}
        self._card: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "section":
            self.sections.append(values.get("id") or "")
        if tag == "article":
            self._card = (values.get("id") or "").removeprefix("col-")
            self.cards[self._card] = []
        if tag == "img":
            self.images.append(values.get("src") or "")
            if self._card is not None:
                self.cards[self._card].append("<img>")
        if tag == "link" or (tag in ("script", "img", "iframe") and "src" in values and tag != "img"):
            self.external.append(tag)
        if tag == "img" and not (values.get("src") or "").startswith("data:"):
            self.external.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._card = None

    def handle_data(self, data: str) -> None:
        if self._card is not None and data.strip():
            self.cards[self._card].append(data.strip())


def _parse(text: str) -> _Collector:
    collector = _Collector()
    collector.feed(text)
    return collector


def _assert_png_images(images: list[str]) -> None:
    assert images
    for src in images:
        prefix = "data:image/png;base64,"
        assert src.startswith(prefix)
        payload = base64.b64decode(src[len(prefix) :], validate=True)
        assert payload.startswith(PNG_SIGNATURE)
        assert len(payload) > 1000


def test_report_with_reference_leads_with_verdict_and_column_pictures(tmp_path: Path, spec, synthetic, reference):
    report = evaluate(synthetic, spec, reference, target="segment", sensitive=["country"], run_record=RUN)
    text = report.write_html(tmp_path / "report.html").read_text(encoding="utf-8")
    parsed = _parse(text)

    assert parsed.sections[:3] == ["headline", "columns", "correlations"]
    assert set(parsed.sections[3:]) == {"validity", "spec", "reference", "diversity", "privacy", "usefulness", "bias"}
    assert parsed.external == []
    # one picture per column (5), the correlation difference, the reject reasons
    assert len(parsed.images) == 7
    _assert_png_images(parsed.images)
    assert "PASS: all 3 checked thresholds met" in text
    # each column's picture sits with its own scores
    assert parsed.cards["height"][:2] == ["height", "numeric · mvnormal"]
    assert any(t.startswith("KSComplement 0.9") for t in parsed.cards["height"])
    assert any(t.startswith("spec KS") and t.endswith("pass") for t in parsed.cards["height"])
    assert "<img>" in parsed.cards["height"]
    assert any(t.startswith("TVComplement") for t in parsed.cards["country"])
    # an LLM text field: its length picture and its most frequent values with counts
    job = parsed.cards["job"]
    assert job[1] == "text · llm"
    assert "<img>" in job
    assert "most frequent" in job
    top = synthetic["job"].value_counts()
    assert job[job.index("most frequent") + 4] == top.index[0]
    assert job[job.index("most frequent") + 5] == str(top.iloc[0])
    assert "Correlation difference, synthetic − reference" in text
    assert "segment: not one of the choices" in text


def test_correlation_table_gives_the_difference_in_numbers(spec, synthetic, reference) -> None:
    text = evaluate(synthetic, spec, reference).to_html()
    row = re.search(r"<td>height \| weight</td>(.*?)</tr>", text)
    assert row is not None
    numbers = [float(v) for v in re.findall(r'data-v="([^"]+)"', row.group(1))]
    real = reference[["height", "weight"]].corr().iloc[0, 1]
    synth = synthetic[["height", "weight"]].corr().iloc[0, 1]
    assert numbers == pytest.approx([synth, real, synth - real])


def test_report_without_reference_compares_with_the_declared_laws(tmp_path: Path, spec, synthetic) -> None:
    bad = synthetic.assign(segment="regular")
    report = evaluate(bad, spec)
    text = report.to_html()
    parsed = _parse(text)

    _assert_png_images(parsed.images)
    assert "FAIL: 1 of 3 thresholds not met" in text
    assert "diversity.top_share = 1 &gt; max 0.9" in text
    assert "no reference table" in text  # named once under the verdict
    assert "reference" not in parsed.sections
    assert "privacy" not in parsed.sections
    # mvnormal promises a correlation: the heatmap compares achieved with requested
    assert "Correlation difference, synthetic − requested (pearson)" in text
    saved = json.loads(report.write_json(tmp_path / "r.json").read_text(encoding="utf-8"))
    assert saved["failed_thresholds"] == ["diversity.top_share = 1 > max 0.9"]
    assert saved["unchecked_thresholds"] == ["privacy.exact_copies (max 0): no reference table"]


def test_scaffold_only_report_has_no_empty_parts() -> None:
    spec = spec_from_dict({
        "name": "numbers",
        "rows": 300,
        "columns": [
            {"name": "age", "kind": "truncnormal", "mean": 40, "sd": 12, "low": 18, "high": 70},
            {"name": "visits", "kind": "poisson", "lam": 3},
        ],
    })
    from llmsynth import generate

    text = evaluate(generate(spec), spec).to_html()
    parsed = _parse(text)

    assert "nothing to plot" not in text
    assert "diversity" not in parsed.sections  # no text or choice columns: named under the verdict instead
    assert "Diversity</b>: no text or choice columns to score" in text
    assert "<td>—</td>" not in text  # no table of dashes anywhere
    assert "No thresholds set" in text
    assert len(parsed.images) == 3  # age, visits, their correlation
    assert parsed.cards["visits"][1] == "numeric · poisson"
    assert parsed.cards["visits"][2].startswith("spec TVD")  # the pmf check sits beside the picture


def test_report_declared_curve_honours_truncation() -> None:
    """The report draws the law ``llmsynth plot`` draws: a truncated normal is renormalised to its bounds."""
    promise = DistributionPromise("x", "norm", {"loc": 0.0, "scale": 1.0}, bounds=(0.0, None))
    values = np.abs(np.random.default_rng(0).normal(size=2000)) + 0.001
    axes = new_figure(4, 3, layout=None).add_subplot()
    import pandas as pd

    numeric_column(axes, "x", pd.Series(values), None, [promise])

    (line,) = axes.get_lines()
    peak = max(line.get_ydata())
    assert peak == pytest.approx(stats.norm.pdf(0) / 0.5, rel=0.02)  # half-normal density at 0


def test_notebook_html_is_a_scoped_fragment(spec, synthetic) -> None:
    fragment = evaluate(synthetic, spec)._repr_html_()

    assert fragment.startswith('<div class="lsr">')
    assert "<html" not in fragment
    assert "<body" not in fragment
    styles = re.search(r"<style>(.*?)</style>", fragment, flags=re.S)
    assert styles is not None
    selectors = [s.strip() for s in re.findall(r"([^{}]+)\{", styles.group(1)) if not s.strip().startswith("@")]
    assert all(part.strip().startswith(".lsr") for s in selectors for part in s.split(","))
