"""`llmsynth validate` also does what generate does before the model: samplers built, a few scaffold
rows drawn, every prompt rendered with them. A template that fails only on real values, or a
few-shot example that breaks the schema, is exit code 2 at validate, not after a model load."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmsynth.cli.main import app

runner = CliRunner()

SPEC = """
columns:
  - {{name: n, kind: integer, low: 200000, high: 300000}}
  - kind: llm
    name: person
    prompt: "{prompt}"
    fields: {{job: {{type: string, max_length: 20}}, age: {{type: integer, min: 18, max: 70}}}}
{extra}"""


def write(tmp_path: Path, prompt: str, extra: str = "") -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC.format(prompt=prompt, extra=extra))
    return path


def test_a_good_spec_reports_the_dry_run(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(write(tmp_path, "Person number {{ n }}"))])
    assert result.exit_code == 0, result.output
    assert "dry run: 3 scaffold rows drawn, prompts rendered (longest" in result.output


@pytest.mark.parametrize(
    ("prompt", "extra", "message"),
    [
        ("{{ 'x' * n }}", "", "column 'person': prompt: stopped by the template limits: 'x' * 2"),
        ("{{ n.upper() }}", "", "column 'person': prompt: 'int object' has no attribute 'upper'"),
        ("{{ n }}", "    examples: [{n: 1, job: Chef, age: 7}]\n",
         "column 'person': examples[0] is not a valid answer: age: Input should be greater than or equal to 18"),
        ("{{ n }}", "    decoding: free\n    parser: regex\n    regex: '(?P<job>\\w+) (?P<age>\\d+)(?=x)'\n",
         "column 'person': field 'regex': regex"),
    ],
    ids=["size-from-data", "method-of-a-value", "bad-example", "regex-lookahead"],
)
def test_failures_that_need_row_values_are_exit_2(tmp_path: Path, prompt: str, extra: str, message: str) -> None:
    path = write(tmp_path, prompt, extra)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert f"error: {path}: {message}" in result.output
    skipped = runner.invoke(app, ["validate", str(path), "--dry-rows", "0"])
    assert skipped.exit_code == 0, skipped.output
