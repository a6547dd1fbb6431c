"""The HTML report is self-contained: every section is present and every image is a real PNG."""

from __future__ import annotations

import base64
import json
from html.parser import HTMLParser
from pathlib import Path

from llmsynth.evals import evaluate

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SECTIONS = {
    "headline",
    "validity",
    "spec",
    "reference",
    "diversity",
    "privacy",
    "usefulness",
    "bias",
    "distributions",
    "categories",
    "correlations",
}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.images: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "section":
            self.sections.append(values.get("id") or "")
        if tag == "img":
            self.images.append(values.get("src") or "")
        if tag in ("script", "link") or (tag == "img" and not (values.get("src") or "").startswith("data:")):
            self.external.append(tag)


def _parse(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


def _assert_png_images(images: list[str]) -> None:
    assert images
    for src in images:
        prefix = "data:image/png;base64,"
        assert src.startswith(prefix)
        payload = base64.b64decode(src[len(prefix) :], validate=True)
        assert payload.startswith(PNG_SIGNATURE)
        assert len(payload) > 1000


def test_report_with_reference(tmp_path: Path, spec, synthetic, reference) -> None:
    run = {
        "rows_written": 600,
        "rejected": 4,
        "llm_rows": 604,
        "first_pass_valid": 590,
        "rejects_by_reason": {"segment: not one of the choices": 3, "job: too long": 1},
    }
    report = evaluate(synthetic, spec, reference, target="segment", sensitive=["country"], run_record=run)
    html_path = report.write_html(tmp_path / "report.html")
    parsed = _parse(html_path)
    assert set(parsed.sections) == SECTIONS
    assert parsed.sections[0] == "headline"  # headline scores come first
    assert parsed.external == []
    # two histograms, two category plots, one heatmap pair, one reject summary
    assert len(parsed.images) == 6
    _assert_png_images(parsed.images)
    text = html_path.read_text(encoding="utf-8")
    assert "reference.overall" in text
    assert "All thresholds met." in text
    assert "segment: not one of the choices" in text  # the reject summary table


def test_report_without_reference_plots_declared_distributions(tmp_path: Path, spec, synthetic) -> None:
    bad = synthetic.assign(segment="regular")
    report = evaluate(bad, spec)
    parsed = _parse(report.write_html(tmp_path / "r.html"))
    _assert_png_images(parsed.images)
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "skipped: no reference table" in text
    assert "Thresholds not met" in text
    assert "diversity.top_share" in text
    saved = json.loads(report.write_json(tmp_path / "r.json").read_text(encoding="utf-8"))
    assert saved["failed_thresholds"] == ["diversity.top_share = 1 > max 0.9"]
    assert saved["unchecked_thresholds"] == ["privacy.exact_copies (max 0): no reference table"]
    assert saved["headline"]["diversity.top_share"] == 1.0
