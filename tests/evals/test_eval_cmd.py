"""``llmsynth eval`` from the command line: outputs, the run record beside the data, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from llmsynth.cli.eval_cmd import eval_command

app = typer.Typer()
app.command("eval")(eval_command)


@app.callback()
def _group() -> None:
    """Make ``eval`` a subcommand, as in the real app."""


@pytest.fixture
def files(tmp_path: Path, spec_dict, synthetic, reference) -> dict[str, Path]:
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(yaml.safe_dump(spec_dict), encoding="utf-8")
    data_path = tmp_path / "out.csv"
    synthetic.to_csv(data_path, index=False)
    reference_path = tmp_path / "real.csv"
    reference.to_csv(reference_path, index=False)
    (tmp_path / "out.run.json").write_text(
        json.dumps(
            {
                "rows_written": 600,
                "rejected": 6,
                "llm_rows": 606,
                "first_pass_valid": 600,
                "retries": 6,
                "rejects_by_reason": {"segment: not one of the choices": 6},
            }
        ),
        encoding="utf-8",
    )
    return {"spec": spec_path, "data": data_path, "reference": reference_path, "dir": tmp_path}


def test_eval_writes_json_and_report(files: dict[str, Path]) -> None:
    out_json, out_html = files["dir"] / "scores.json", files["dir"] / "report.html"
    result = CliRunner().invoke(
        app,
        [
            "eval",
            str(files["data"]),
            "--spec",
            str(files["spec"]),
            "--reference",
            str(files["reference"]),
            "--target",
            "segment",
            "--sensitive",
            "country",
            "--json",
            str(out_json),
            "--report",
            str(out_html),
            "--check",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "reference.overall" in result.output
    assert "all 3 thresholds met" in result.output
    scores = json.loads(out_json.read_text(encoding="utf-8"))
    assert scores["scores"]["validity"]["run"]["rejected"] == 6  # read from out.run.json
    assert scores["scores"]["usefulness"]["target"] == "segment"
    assert out_html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_check_fails_with_exit_code_1(files: dict[str, Path], synthetic) -> None:
    synthetic.assign(segment="regular").to_csv(files["data"], index=False)
    result = CliRunner().invoke(app, ["eval", str(files["data"]), "--spec", str(files["spec"]), "--check"])
    assert result.exit_code == 1
    assert "diversity.top_share = 1 > max 0.9" in result.output
    without_check = CliRunner().invoke(app, ["eval", str(files["data"]), "--spec", str(files["spec"])])
    assert without_check.exit_code == 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [(["--target", "salary"], "no column 'salary'"), (["--sensitive", "gender"], "no column 'gender'")],
    ids=["target", "sensitive"],
)
def test_unknown_columns_exit_2(files: dict[str, Path], extra: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["eval", str(files["data"]), *extra])
    assert result.exit_code == 2
    assert message in result.output
    assert "out.csv" in result.output


def test_unreadable_data_exit_2(files: dict[str, Path]) -> None:
    result = CliRunner().invoke(app, ["eval", str(files["dir"] / "missing.csv")])
    assert result.exit_code == 2
    assert "file not found" in result.output


def test_help_documents_every_option() -> None:
    result = CliRunner().invoke(app, ["eval", "--help"])
    for option in ("--spec", "--reference", "--target", "--sensitive", "--json", "--report", "--check"):
        assert option in result.output
