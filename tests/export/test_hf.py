"""Hugging Face export: typed features from the spec, a dataset card, and the ``--format hf`` command."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import llmsynth
from llmsynth.backends.fake import FakeBackend
from llmsynth.cli.main import app
from llmsynth.errors import InputDataError, LLMSynthError
from llmsynth.spec import spec_from_dict

datasets = pytest.importorskip("datasets")

SPEC = {
    "name": "shoppers",
    "description": "Shoppers with a segment chosen by the model.",
    "rows": 30,
    "seed": 5,
    "thresholds": {"validity.score": 1.0},
    "columns": [
        {"name": "age", "kind": "integer", "low": 18, "high": 80},
        {"name": "spend", "kind": "lognormal", "mu": {"by": "country", "map": {"FR": 6.0, "DE": 6.5}}, "sigma": 0.4},
        {"name": "country", "kind": "categorical", "categories": {"FR": 0.5, "DE": 0.5}},
        {"name": "joined", "kind": "date", "start": "2021-01-01", "end": "2023-12-31"},
        {
            "kind": "llm",
            "name": "profile",
            "prompt": "{{ country }} {{ age }}",
            "fields": {
                "segment": {"type": "choice", "choices": ["budget", "regular", "premium"]},
                "job": {"type": "string", "max_length": 20, "description": "a job title"},
            },
        },
    ],
}


@pytest.fixture(scope="module")
def table() -> tuple[llmsynth.DatasetSpec, pd.DataFrame]:
    spec = spec_from_dict(SPEC)
    return spec, llmsynth.generate(spec, backend=FakeBackend())


def test_features_come_from_the_spec(table) -> None:
    spec, data = table
    dataset = llmsynth.to_hf_dataset(data, spec)

    features = dataset.features
    assert isinstance(features["segment"], datasets.ClassLabel)
    assert features["segment"].names == ["budget", "regular", "premium"]
    assert features["country"].names == ["FR", "DE"]
    assert features["age"] == datasets.Value("int64")
    assert features["spend"] == datasets.Value("float64")
    assert features["joined"] == datasets.Value("date32")
    assert features["job"] == datasets.Value("string")
    assert dataset.num_rows == len(data)
    # class ids decode to the generated labels, row by row
    labels = [features["segment"].int2str(i) for i in dataset["segment"]]
    assert labels == [str(v) for v in data["segment"]]
    assert dataset["age"] == data["age"].tolist()
    assert dataset["joined"][0] == data["joined"].iloc[0].date()
    assert dataset.info.description == SPEC["description"]


def test_written_folder_loads_back_with_its_card(table, tmp_path: Path) -> None:
    spec, data = table
    report = llmsynth.evaluate(data, spec)
    folder = llmsynth.write_hf_dataset(data, spec, tmp_path / "shoppers", report)

    loaded = datasets.load_from_disk(str(folder))
    assert loaded.features == llmsynth.to_hf_dataset(data, spec).features
    assert loaded["job"] == data["job"].tolist()
    card = (folder / "README.md").read_text(encoding="utf-8")
    front = yaml.safe_load(card.split("---")[1])
    assert front["pretty_name"] == "shoppers"
    assert front["size_categories"] == ["n<1K"]
    assert "| segment | choice (ClassLabel) | language model (profile) | budget, regular, premium |" in card
    assert "| age | integer | sampler `integer` | low=18, high=80 |" in card
    spend = "| spend | number | sampler `lognormal` | mu={'by': 'country', 'map': {'FR': 6.0, 'DE': 6.5}}, sigma=0.4 |"
    assert spend in card
    assert "| `validity.score` | 1.000 | min 1 |" in card
    assert "All 1 thresholds of the spec are met." in card
    assert "**Every row is synthetic.**" in card


def test_a_folder_in_use_is_refused(table, tmp_path: Path) -> None:
    spec, data = table
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    with pytest.raises(InputDataError, match="new or empty folder"):
        llmsynth.write_hf_dataset(data, spec, tmp_path / "taken")
    assert (tmp_path / "taken" / "notes.txt").read_text() == "mine"


def test_without_datasets_the_error_says_what_to_install(table, monkeypatch: pytest.MonkeyPatch) -> None:
    spec, data = table
    monkeypatch.setitem(sys.modules, "datasets", None)  # import fails as if not installed
    with pytest.raises(LLMSynthError, match=r"pip install 'llmsynth\[hf\]'"):
        llmsynth.to_hf_dataset(data, spec)


def test_generate_format_hf_from_the_command_line(tmp_path: Path) -> None:
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(yaml.safe_dump(SPEC))
    output = tmp_path / "out" / "shoppers"
    result = CliRunner().invoke(
        app, ["generate", str(spec_path), "-n", "12", "-o", str(output), "--format", "hf", "--backend", "fake"]
    )

    assert result.exit_code == 0, result.output
    loaded = datasets.load_from_disk(str(output))
    assert loaded.num_rows == 12
    assert isinstance(loaded.features["segment"], datasets.ClassLabel)
    assert "| `validity.score` | 1.000 | min 1 |" in (output / "README.md").read_text(encoding="utf-8")
    record = json.loads((tmp_path / "out" / "shoppers.run.json").read_text(encoding="utf-8"))
    assert record["rows_written"] == 12

    again = CliRunner().invoke(
        app, ["generate", str(spec_path), "-o", str(output), "--format", "hf", "--backend", "fake"]
    )
    assert again.exit_code == 2
    assert "new or empty folder" in again.output
    assert "Traceback" not in again.output
