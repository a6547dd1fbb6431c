"""The report in a real headless browser: it renders on a phone and a desktop, logs nothing to the
console, never makes the page scroll sideways, and its tables sort when a header is clicked.

Needs Debian's ``chromium`` (``apt-get install chromium``); skipped with a message without it.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from llmsynth.evals import evaluate

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="headless browser check needs /usr/bin/chromium (apt-get install chromium)"
)

# runs after the report's own script: click a header twice, measure sideways overflow, keep errors
PROBE = """<script>
window.__errors = window.__errors || [];
window.addEventListener("load", function () {
  var table = document.querySelectorAll("#reference table.sortable")[2];  // column pair trends
  var header = table.querySelectorAll("th")[2];
  function column() { return Array.prototype.map.call(table.tBodies[0].rows,
      function (row) { return parseFloat(row.cells[2].getAttribute("data-v")); }); }
  header.click(); var up = column(); header.click(); var down = column();
  document.body.setAttribute("data-probe", JSON.stringify({
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    up: up, down: down, sorted: header.getAttribute("aria-sort"), errors: window.__errors,
    images: document.images.length,
    drawn: Array.prototype.filter.call(document.images, function (i) { return i.naturalWidth > 100; }).length}));
});
</script>"""
CATCH = (
    '<script>window.__errors=[];'
    'window.addEventListener("error",function(e){window.__errors.push(e.message)});</script>'
)


def _chromium(*args: str) -> subprocess.CompletedProcess[str]:
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--enable-logging=stderr", "--v=0", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def _console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory, spec, synthetic, reference) -> Path:
    run = {"rows_written": 600, "rejected": 2, "llm_rows": 602, "first_pass_valid": 590,
           "rejects_by_reason": {"job: too long": 2}}
    report = evaluate(synthetic, spec, reference, target="segment", sensitive=["country"], run_record=run)
    return report.write_html(tmp_path_factory.mktemp("browser") / "report.html")


@pytest.mark.parametrize("width", [390, 1280], ids=["phone", "desktop"])
def test_screenshot_renders_without_console_errors(report_file: Path, width: int) -> None:
    from matplotlib.image import imread

    shot = report_file.with_name(f"shot-{width}.png")
    result = _chromium(f"--window-size={width},2000", f"--screenshot={shot}", report_file.as_uri())

    assert shot.exists(), result.stderr[-2000:]
    assert _console_lines(result.stderr) == []
    pixels = imread(shot)
    assert pixels.shape[:2] == (2000, width)
    assert float(pixels[..., :3].std()) > 0.05  # text and pictures, not a blank page
    # the verdict banner's green (#e8f6ea) is drawn near the top
    green = np.all(np.abs(pixels[:600, :, :3] - np.array([0xE8, 0xF6, 0xEA]) / 255) < 0.02, axis=-1)
    assert green.sum() > 20 * min(width - 40, 600)


def test_tables_sort_and_the_page_fits_a_phone(report_file: Path) -> None:
    text = report_file.read_text(encoding="utf-8")
    probed = report_file.with_name("probed.html")
    probed.write_text(text.replace("<head>", "<head>" + CATCH, 1).replace("</body>", PROBE + "</body>", 1),
                      encoding="utf-8")
    result = _chromium("--window-size=390,900", "--virtual-time-budget=5000", "--dump-dom", probed.as_uri())

    found = re.search(r'data-probe="([^"]*)"', result.stdout)
    assert found is not None, result.stderr[-2000:]
    probe = json.loads(found.group(1).replace("&quot;", '"'))
    assert probe["errors"] == []
    assert _console_lines(result.stderr) == []
    assert probe["images"] == 7
    assert probe["drawn"] == 7  # every picture decoded
    assert probe["overflow"] <= 0  # wide tables scroll inside their box, the page does not
    assert probe["sorted"] == "descending"
    assert len(probe["up"]) >= 4
    assert probe["up"] == sorted(probe["up"])
    assert probe["down"] == sorted(probe["down"], reverse=True)
