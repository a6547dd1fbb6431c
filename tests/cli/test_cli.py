"""The CLI through typer's runner: real specs, real files, real values."""

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from llmsynth.cli.main import app

runner = CliRunner()

SCAFFOLD_SPEC = """
name: scaffold-only
rows: 40
seed: 3
generation: {chunk_size: 16}
columns:
  - {name: height, kind: normal, mean: 170, sd: 10}
  - {name: weight, kind: expression, expr: "2.5 * height + 50"}
  - {name: country, kind: categorical, categories: {A: 0.7, B: 0.3}}
"""


@pytest.fixture
def spec_path(tmp_path: Path) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(SCAFFOLD_SPEC)
    return path


def test_validate_prints_the_plan(spec_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(spec_path)])
    assert result.exit_code == 0, result.output
    assert "is valid (3 columns)" in result.output
    assert "expression" in result.output
    assert "height" in result.output


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_generate_writes_rows_and_sidecars(spec_path: Path, tmp_path: Path, suffix: str) -> None:
    output = tmp_path / f"out{suffix}"
    result = runner.invoke(app, ["generate", str(spec_path), "-n", "37", "-o", str(output)])
    assert result.exit_code == 0, result.output
    from llmsynth.io import read_table

    data = read_table(output)
    assert list(data.columns) == ["height", "weight", "country"]
    assert len(data) == 37
    assert (data["weight"] - (2.5 * data["height"] + 50)).abs().max() < 1e-9
    assert set(data["country"]) <= {"A", "B"}
    record = json.loads((tmp_path / "out.run.json").read_text())
    assert record["rows_written"] == 37
    assert record["rejected"] == 0
    assert (tmp_path / "out.rejects.jsonl").read_text() == ""


def test_generate_is_reproducible_and_seed_sensitive(spec_path: Path, tmp_path: Path) -> None:
    paths = []
    for name, seed in (("a", "1"), ("b", "1"), ("c", "2")):
        path = tmp_path / f"{name}.csv"
        assert runner.invoke(app, ["generate", str(spec_path), "-o", str(path), "--seed", seed]).exit_code == 0
        paths.append(pd.read_csv(path))
    pd.testing.assert_frame_equal(paths[0], paths[1])
    assert not paths[0]["height"].equals(paths[2]["height"])


def test_chunking_does_not_change_values(spec_path: Path, tmp_path: Path) -> None:
    from llmsynth import generate, load_spec

    spec = load_spec(spec_path)
    whole = generate(spec, rows=16)
    prefix = generate(spec, rows=40).iloc[:16]
    pd.testing.assert_frame_equal(whole, prefix)


def test_preview_prints_rows(spec_path: Path) -> None:
    result = runner.invoke(app, ["preview", str(spec_path), "-n", "3"])
    assert result.exit_code == 0, result.output
    assert "height" in result.output
    assert result.output.count("│") >= 3 * 4


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("columns:\n  - {name: a, kind: normall}\n", "unknown column kind 'normall'"),
        ("columns:\n  - {name: a, kind: normal, sd: 0}\n", "field 'sd'"),
        ("columns: [\n", "malformed YAML"),
    ],
    ids=["unknown-kind", "bad-parameter", "malformed"],
)
@pytest.mark.parametrize("command", ["validate", "preview"])
def test_bad_spec_exits_2_without_traceback(tmp_path: Path, text: str, fragment: str, command: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    result = runner.invoke(app, [command, str(path)])
    assert result.exit_code == 2
    assert fragment in result.output
    assert str(path) in result.output
    assert "Traceback" not in result.output


def test_unknown_output_suffix_is_exit_2(spec_path: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["generate", str(spec_path), "-o", str(tmp_path / "out.xlsx")])
    assert result.exit_code == 2
    assert "unsupported file type '.xlsx'" in result.output


@pytest.mark.parametrize("command", ["generate", "preview", "validate", "eval", "models", "parse", "plot", "schema"])
def test_every_command_has_complete_help(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output
    assert len(result.output.splitlines()) > 5


LLM_SPEC = """
columns:
  - {name: age, kind: integer, low: 18, high: 80}
  - kind: llm
    prompt: "Job for a {{ age }} year old"
    fields: {job: {type: string, max_length: 20}}
"""


def test_validate_reports_where_the_default_model_loads_from(tmp_path: Path) -> None:
    path = tmp_path / "llm.yaml"
    path.write_text(LLM_SPEC)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "model: smollm2-135m -> " in result.output
    assert "SmolLM2-135M-Instruct" in result.output


@pytest.mark.parametrize("command", ["validate", "preview"])
def test_unknown_model_is_exit_2_naming_it(tmp_path: Path, command: str) -> None:
    path = tmp_path / "llm.yaml"
    path.write_text(LLM_SPEC.replace("columns:", "model: {name: no-such-model}\ncolumns:"))
    result = runner.invoke(app, [command, str(path)])
    assert result.exit_code == 2
    assert "model 'no-such-model' is neither a registered alias" in result.output
    assert "Traceback" not in result.output


def test_schema_lists_every_column_kind() -> None:
    import json

    from llmsynth.spec import COLUMN_KINDS

    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["title"] == "DatasetSpec"
    kinds = {
        kind
        for definition in schema["$defs"].values()
        for kind in definition.get("properties", {}).get("kind", {}).get("enum", [])
        or [definition.get("properties", {}).get("kind", {}).get("const")]
        if kind
    }
    assert kinds == set(COLUMN_KINDS)


@pytest.mark.parametrize(
    ("prompt", "fragment"),
    [
        ("{{ age | nosuch }}", "template refused on line 1: unknown filter 'nosuch'"),
        ("{{ age.__class__ }}", "attribute '__class__' is private (the sandbox forbids"),
        ("{{ 'x' * 10**9 }}", "would build 1,000,000,000 characters (limit 100,000)"),
    ],
    ids=["unknown-filter", "sandbox", "huge-string"],
)
@pytest.mark.parametrize("command", ["validate", "preview"])
def test_bad_templates_are_exit_2_naming_file_and_column(
    tmp_path: Path, prompt: str, fragment: str, command: str
) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(LLM_SPEC.replace('"Job for a {{ age }} year old"', f'"{prompt}"'))
    extra = ["--backend", "fake"] if command == "preview" else []
    result = runner.invoke(app, [command, str(path), *extra])
    assert result.exit_code == 2
    assert fragment in result.output
    assert f"{path}: column 'job'" in result.output or f"{path.resolve()}: column 'job'" in result.output
    assert "Traceback" not in result.output
