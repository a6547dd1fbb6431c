"""``llmsynth fit`` end to end: a bundled real table -> commented YAML -> validate -> generate -> eval."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from llmsynth.cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def iris_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sklearn.datasets import load_iris

    frame = load_iris(as_frame=True).frame
    frame["species"] = frame.pop("target").map({0: "setosa", 1: "versicolor", 2: "virginica"})
    path = tmp_path_factory.mktemp("iris") / "iris.csv"
    frame.to_csv(path, index=False)
    return path


def test_fit_validate_generate_eval(iris_csv: Path, tmp_path: Path) -> None:
    spec = tmp_path / "iris.yaml"
    result = runner.invoke(app, ["fit", str(iris_csv), "-o", str(spec), "--label", "species", "--rows", "300"])
    assert result.exit_code == 0, result.output
    assert "a Gaussian copula per value of 'species' (3 classes)" in result.output
    text = spec.read_text()
    assert text.startswith("# Fitted by `llmsynth fit` from ")
    assert "kind: conditional" in text
    assert "target: species" in text
    assert runner.invoke(app, ["validate", str(spec)]).exit_code == 0
    out = tmp_path / "synthetic.csv"
    result = runner.invoke(app, ["generate", str(spec), "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    synthetic = pd.read_csv(out)
    assert len(synthetic) == 300
    assert list(synthetic.columns) == list(pd.read_csv(iris_csv).columns)
    scores = tmp_path / "scores.json"
    result = runner.invoke(app, ["eval", str(out), "--spec", str(spec), "--reference", str(iris_csv),
                                 "--json", str(scores)])
    assert result.exit_code == 0, result.output
    figures = json.loads(scores.read_text())
    assert figures["scores"]["usefulness"]["ratio"] > 0.85
    assert figures["scores"]["privacy"]["dcr_ratio"] > 0.9


def test_kind_overrides_and_options_reach_the_spec(iris_csv: Path, tmp_path: Path) -> None:
    spec = tmp_path / "iris.yaml"
    result = runner.invoke(app, ["fit", str(iris_csv), "-o", str(spec), "--kind", "petal width (cm)=ignore",
                                 "--marginals", "quantiles", "--knots", "11", "--name", "flowers"])
    assert result.exit_code == 0, result.output
    text = spec.read_text()
    assert "petal width" not in text.split("columns:", 1)[1]
    assert "name: flowers" in text
    assert text.count("kind: quantiles") == 3


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--kind", "sepal=foo"], "column 'sepal': unknown kind 'foo'"),
        (["--kind", "nonsense"], "--kind 'nonsense': write COLUMN=KIND"),
        (["--label", "colour"], "label 'colour' is not a column"),
        (["--clip", "0.6"], "fit option 'clip' must be a share below 0.5"),
    ],
    ids=["bad-kind", "bad-pair", "bad-label", "bad-clip"],
)
def test_bad_options_exit_2_with_one_line(iris_csv: Path, tmp_path: Path, arguments: list[str], message: str) -> None:
    result = runner.invoke(app, ["fit", str(iris_csv), "-o", str(tmp_path / "s.yaml"), *arguments])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_missing_file_and_bad_output_suffix(tmp_path: Path) -> None:
    result = runner.invoke(app, ["fit", str(tmp_path / "none.csv"), "-o", str(tmp_path / "s.yaml")])
    assert result.exit_code == 2
    assert "none.csv: file not found" in result.output
    result = runner.invoke(app, ["fit", str(tmp_path / "none.csv"), "-o", str(tmp_path / "s.json")])
    assert result.exit_code == 2
    assert "write the spec to a .yaml file" in result.output
