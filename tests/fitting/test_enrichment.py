"""Existing rows as the scaffold (``kind: data`` / ``generate(spec, data=df)``): the LLM fills new columns
for each given row, in chunks, with the usual validation and rejects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

import llmsynth
from llmsynth.backends.fake import FakeBackend
from llmsynth.cli.main import app
from llmsynth.errors import SpecError

PEOPLE = pd.DataFrame({
    "city": ["Tokyo", "Lima", "Oslo", "Lagos", "Paris"],
    "age": [34, 51, 27, 45, 62],
    "joined": pd.to_datetime(["2020-01-05", "2021-03-01", "2019-07-30", "2022-11-11", "2018-02-14"]),
})
SPEC: dict[str, Any] = {
    "name": "enriched",
    "seed": 4,
    "generation": {"chunk_size": 2, "retries": 0},
    "columns": [
        {"kind": "data", "columns": ["city", "age"]},
        {"kind": "expression", "name": "age_next_year", "expr": "age + 1", "round": 0},
        {
            "kind": "llm",
            "name": "profile",
            "prompt": "A person aged {{ age }} from {{ city }}: give their job and a tier.",
            "fields": {
                "job": {"type": "string", "max_length": 20},
                "tier": {"type": "choice", "choices": ["basic", "plus"]},
            },
        },
    ],
}


def test_each_given_row_gets_new_columns_in_order() -> None:
    backend = FakeBackend()
    data = llmsynth.generate(llmsynth.spec_from_dict(SPEC), rows=2, data=PEOPLE, backend=backend)
    assert list(data.columns) == ["city", "age", "age_next_year", "job", "tier"]
    assert len(data) == len(PEOPLE)  # the table fixes the length; rows= cannot cut or pad it
    assert data["city"].tolist() == PEOPLE["city"].tolist()
    assert data["age_next_year"].tolist() == (PEOPLE["age"] + 1).tolist()
    assert set(data["tier"]) <= {"basic", "plus"}
    prompts = [p for call in backend.calls for p in call.prompts]
    assert len(prompts) == 5
    for city, age in zip(PEOPLE["city"], PEOPLE["age"], strict=True):
        assert sum(f"A person aged {age} from {city}" in p for p in prompts) == 1


def test_a_spec_without_a_data_entry_carries_every_other_column() -> None:
    spec = llmsynth.spec_from_dict({"columns": [SPEC["columns"][2] | {"prompt": "Give a job and a tier."}]})
    data = llmsynth.generate(spec, data=PEOPLE, backend=FakeBackend())
    assert list(data.columns) == ["city", "age", "joined", "job", "tier"]
    pd.testing.assert_series_equal(data["joined"], PEOPLE["joined"])


def test_rows_the_model_fails_are_left_out_and_reported() -> None:
    def answer(prompt: str) -> str:
        return "not json" if "from Oslo" in prompt else json.dumps({"job": "Chef", "tier": "plus"})

    run = llmsynth.generate_run(llmsynth.spec_from_dict(SPEC), data=PEOPLE, backend=FakeBackend(script=answer))
    assert run.data["city"].tolist() == ["Tokyo", "Lima", "Lagos", "Paris"]
    assert [r["row"] for r in run.rejects] == [2]


def test_rows_from_a_file_through_the_cli(tmp_path: Path) -> None:
    PEOPLE.to_csv(tmp_path / "people.csv", index=False)
    spec = {**SPEC, "model": {"backend": "fake"}, "columns": [{**SPEC["columns"][0], "file": "people.csv"},
                                                              *SPEC["columns"][1:]]}
    import yaml

    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))
    result = CliRunner().invoke(app, ["generate", str(tmp_path / "spec.yaml"), "-o", str(tmp_path / "out.csv")])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(tmp_path / "out.csv")
    assert out["age"].tolist() == PEOPLE["age"].tolist()
    assert out["job"].notna().all()


def test_missing_rows_or_columns_are_spec_errors(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="no rows: give 'file', or pass a DataFrame"):
        llmsynth.generate(llmsynth.spec_from_dict(SPEC), backend=FakeBackend())
    with pytest.raises(SpecError, match="the DataFrame has no column\\(s\\) age"):
        llmsynth.generate(llmsynth.spec_from_dict(SPEC), data=PEOPLE[["city"]], backend=FakeBackend())


@pytest.mark.model
def test_the_default_model_enriches_given_rows(default_backend: Any) -> None:
    spec = llmsynth.spec_from_dict({**SPEC, "model": {"device": "cpu"}, "generation": {"retries": 2}})
    data = llmsynth.generate(spec, data=PEOPLE.head(2), backend=default_backend)
    assert data["city"].tolist() == ["Tokyo", "Lima"][: len(data)]
    assert len(data) >= 1
    assert data["job"].str.len().between(1, 20).all()
    assert set(data["tier"]) <= {"basic", "plus"}


def test_the_example_spec_enriches_its_file() -> None:
    spec = llmsynth.load_spec(Path(__file__).resolve().parents[2] / "examples" / "enrich" / "enrich.yaml")
    data = llmsynth.generate(spec, backend=FakeBackend())
    assert data["city"].tolist() == ["Tokyo", "Lima", "Oslo", "Lagos", "Paris", "Cairo"]
    assert list(data.columns) == ["city", "age", "plan", "joined", "job", "note"]
    assert data["job"].str.len().between(1, 30).all()


def test_validate_accepts_a_data_entry_whose_rows_come_from_python(tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "enrich.yaml"
    path.write_text(yaml.safe_dump(SPEC))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "dry run skipped: 'data: city, age' takes its rows from Python" in result.output
