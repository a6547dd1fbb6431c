"""CLI manners: --version, shell completion, preview that never splits a word, progress with rate and
ETA from the first rows (a bar on a terminal, plain lines elsewhere) that stays cheap per row."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

import llmsynth
from llmsynth.cli.main import app
from llmsynth.cli.preview import preview_renderable
from llmsynth.cli.progress import bar_progress, plain_progress, row_progress

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]

ROWS = pd.DataFrame({
    "customer_id": ["C00001", "C00002"],
    "age": [41, 33],
    "country": ["Germany", "United States"],
    "yearly_spend": [1633.29, 800.5],
    "job": ["Software engineer", "Nurse"],
    "segment": ["premium", "budget"],
    "note": ["Buys electronics on sale days and more.", "Orders wine and books every month."],
})


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"llmsynth {llmsynth.__version__}"


def test_shell_completion_completes_commands_and_options() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "_LLMSYNTH_COMPLETE": "complete_bash"}

    def complete(words: str, index: int) -> list[str]:
        result = subprocess.run([sys.executable, "-m", "llmsynth"], capture_output=True, text=True, timeout=60,
                                env={**env, "COMP_WORDS": words, "COMP_CWORD": str(index)}, check=True)
        return result.stdout.split()

    assert complete("llmsynth gen", 1) == ["generate"]
    assert sorted(complete("llmsynth generate spec.yaml --for", 3)) == ["--force", "--format"]
    assert complete("llmsynth generate spec.yaml --expl", 3) == ["--explain"]
    # the shell named, not detected from the parent processes (which fails where tests run detached)
    shown = subprocess.run([sys.executable, "-m", "llmsynth", "--show-completion", "bash"], capture_output=True,
                           text=True, timeout=60, check=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT),
                                "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
    assert "_LLMSYNTH_COMPLETE=complete_bash" in shown.stdout


def _rendered(width: int) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(preview_renderable(ROWS, width))
    return console.export_text()


@pytest.mark.parametrize("width", [60, 80, 100, 120, 200])
def test_preview_wraps_between_words_never_inside_one(width: int) -> None:
    text = _rendered(width)
    lines = text.splitlines()

    assert max(len(line) for line in lines) <= width
    words = {w for column in ROWS.columns for v in ROWS[column].astype(str) for w in v.split()}
    tokens = {t.strip("│┃ ") for line in lines for t in line.replace("│", " ").replace("┃", " ").split()}
    assert words <= tokens  # "Germany", never "German" + "y"
    assert "1633.29" in tokens


def test_preview_is_a_table_when_it_fits_and_records_when_not() -> None:
    assert "┃ customer_id ┃" in _rendered(120)
    narrow = _rendered(60)
    assert "row 1" in narrow
    assert "row 2" in narrow
    assert any(line.split()[:1] == ["country"] and "United States" in line for line in narrow.splitlines())


def test_plain_progress_lines_start_at_the_first_rows_then_periodically() -> None:
    stream, clock = io.StringIO(), FakeClock()
    with plain_progress("generating customers", stream, clock=clock, every=10.0) as progress:
        progress(0, 200)
        clock.now += 16.0
        progress(8, 200)  # the first batch: rate and ETA at once
        for done in range(9, 40):  # per-row calls within the interval draw nothing
            clock.now += 0.1
            progress(done, 200)
        clock.now += 8.0
        progress(40, 200)
        clock.now += 60.0
        progress(200, 200)

    lines = stream.getvalue().splitlines()
    assert lines == [
        "generating customers: 0/200 rows (0%), — rows/s, elapsed 0:00, ETA —",
        "generating customers: 8/200 rows (4%), 0.50 rows/s, elapsed 0:16, ETA 6:24",
        "generating customers: 40/200 rows (20%), 1.48 rows/s, elapsed 0:27, ETA 1:48",
        "generating customers: 200/200 rows (100%) in 1:27, 2.30 rows/s",
    ]


def test_frequent_calls_draw_rarely() -> None:
    drawn: list[int] = []
    stream, clock = io.StringIO(), FakeClock()
    with plain_progress("x", stream, clock=clock, every=10.0) as progress:
        progress.draw = lambda done, total, elapsed: drawn.append(done)
        for done in range(100_000):
            clock.now += 1e-5  # 100,000 calls in one second
            progress(done, 1_000_000)
    assert drawn == [0, 1, 99_999]  # start, first rows, the final state when the run ends


def test_terminal_bar_shows_rate_and_eta_after_the_first_batch() -> None:
    clock = FakeClock()
    console = Console(file=io.StringIO(), force_terminal=True, width=120, record=True)
    with bar_progress("generating customers", console, clock=clock) as progress:
        progress(0, 64)
        clock.now += 17.0
        progress(8, 64)
    text = console.export_text()
    assert "8/64" in text
    assert "0.47 rows/s" in text
    assert "ETA 1:59" in text


def test_quiet_and_piped_output() -> None:
    with row_progress("x", quiet=True) as progress:
        assert progress is None
    piped = io.StringIO()  # not a terminal
    with row_progress("generating t", stream=piped) as progress:
        assert progress is not None
        progress(0, 3)
        progress(3, 3)
    assert piped.getvalue().splitlines()[-1].startswith("generating t: 3/3 rows (100%) in 0:00")
