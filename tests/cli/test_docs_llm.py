"""The README quick start runs as written (the commands that need no model), and every spec snippet in
the `llm` docs is a valid spec."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from llmsynth.cli.main import app
from llmsynth.spec import spec_from_dict

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
QUICK_START = re.search(r"## Quick start\n\n```bash\n(.*?)```", README, flags=re.S)
assert QUICK_START is not None
# continuation lines joined; comments dropped
COMMANDS = [line.split("  #")[0].strip() for line in QUICK_START.group(1).replace("\\\n", " ").splitlines()]
NO_MODEL = ("validate", "models", "plot", "parse", "--version")
DOCS = ["docs/llm.md", "docs/realistic-llm-columns.md"]
SNIPPETS = [
    (doc, block)
    for doc in DOCS
    for block in re.findall(r"```yaml\n(.*?)```", (ROOT / doc).read_text(encoding="utf-8"), flags=re.S)
    if "columns:" in block
]


@pytest.mark.parametrize(
    "command", [c for c in COMMANDS if c.split()[1] in NO_MODEL], ids=lambda c: c.split()[1]
)
def test_quick_start_command_runs_as_written(command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    words = shlex.split(command)
    assert words[0] == ".venv/bin/llmsynth"

    result = CliRunner().invoke(app, words[1:], prog_name="llmsynth")

    assert result.exit_code == 0, result.output
    if words[1] == "parse":
        rows = pd.read_csv(tmp_path / "out" / "parsed.csv")
        assert list(rows.columns) == ["job", "segment", "note"]
        assert len(rows) == 5
        assert "not one of the choices" in (tmp_path / "out" / "parsed.rejects.jsonl").read_text(encoding="utf-8")


def test_quick_start_names_every_command() -> None:
    named = {c.split()[1] for c in COMMANDS if c}
    assert named >= {"validate", "preview", "generate", "eval", "models", "plot", "parse", "--version"}


@pytest.mark.parametrize("doc_block", SNIPPETS, ids=[f"{d.split('/')[-1]}-{i}" for i, (d, _) in enumerate(SNIPPETS)])
def test_llm_doc_snippet_is_a_valid_spec(doc_block: tuple[str, str]) -> None:
    doc, block = doc_block
    spec = spec_from_dict(yaml.safe_load(block), source=doc)
    assert spec.llm_groups()
