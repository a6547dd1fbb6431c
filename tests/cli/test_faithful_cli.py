"""CLI faces of faithful decoding: validate's advice on model-written numbers, generate --explain."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmsynth.cli.main import app

runner = CliRunner()

SPEC = """
name: reviews
rows: 4
seed: 2
model: {device: cpu}
columns:
  - {name: price, kind: uniform, low: 5, high: 50}
  - kind: llm
    name: review
    prompt: "A product that costs {{ price | round(2) }} dollars."
    fields:
      stars: {type: integer, min: 1, max: 5}
      sentiment: {type: choice, choices: {negative: 0.2, neutral: 0.3, positive: 0.5}}
      helpful_votes: {type: integer, min: 0, max: 500}
"""


@pytest.fixture
def spec_path(tmp_path: Path) -> Path:
    path = tmp_path / "reviews.yaml"
    path.write_text(SPEC)
    return path


def test_validate_warns_about_numbers_the_model_would_invent(spec_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(spec_path)])
    assert result.exit_code == 0, result.output
    assert "column 'helpful_votes': the model writes this number itself" in result.output
    assert "kind: uniform, low: 0, high: 500" in result.output
    assert "'stars'" not in result.output  # five values: scored whole, no advice needed


@pytest.mark.model
def test_generate_explain_prints_scored_probabilities_and_calibration(spec_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "reviews.csv"
    result = runner.invoke(app, ["generate", str(spec_path), "-o", str(out), "--explain"])
    assert result.exit_code == 0, result.output
    assert "declared weights for 'sentiment'" in result.output
    assert "row 0 stars:" in result.output
    record = json.loads((tmp_path / "reviews.run.json").read_text())
    decoding = record["decoding"]
    assert decoding["calibration"][0]["target"] == {"negative": 0.2, "neutral": 0.3, "positive": 0.5}
    stars = decoding["explain"][0]["probabilities"]["stars"]
    assert set(stars) == {"1", "2", "3", "4", "5"}
    assert abs(sum(stars.values()) - 1) < 1e-3
