"""Every hostile spec of tests/hostile.py is refused by `llmsynth validate` before any model loads:
exit code 2 and one line naming the file and what is wrong, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmsynth.cli.main import app
from llmsynth.spec.paths import ALLOW_ENV
from tests.hostile import ATTACKS, Attack

runner = CliRunner()


@pytest.mark.parametrize("attack", ATTACKS, ids=[f"{a.kind}: {a.name}" for a in ATTACKS])
def test_validate_refuses(tmp_path: Path, attack: Attack) -> None:
    spec = attack.write(tmp_path)
    result = runner.invoke(app, ["validate", str(spec)])
    assert result.exit_code == 2, result.output
    assert attack.refusal in result.output
    assert result.output.startswith(f"error: {spec}")
    assert "Traceback" not in result.output
    assert "unexpected" not in result.output


def test_allow_path_lets_a_user_opt_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOW_ENV, "")  # --allow-path extends it for the process; restored after the test
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "ask.j2").write_text("Job for a {{ age }} year old")
    project = tmp_path / "project"
    project.mkdir()
    spec = project / "spec.yaml"
    spec.write_text(
        "columns:\n  - {name: age, kind: integer, low: 18, high: 70}\n"
        "  - {kind: llm, template: ../shared/ask.j2, fields: {job: {type: string}}}\n"
    )
    refused = runner.invoke(app, ["validate", str(spec)])
    assert refused.exit_code == 2
    assert "outside the spec's folder" in refused.output
    allowed = runner.invoke(app, ["--allow-path", str(shared), "validate", str(spec)])
    assert allowed.exit_code == 0, allowed.output
    assert "is valid" in allowed.output
