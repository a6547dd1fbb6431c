"""benchmarks/gpu_checks.py's random model, on the CPU: a folder llmsynth loads by path (transformers' Qwen2
code, our row memory) and decodes valid rows from, as the GPU run will."""

from __future__ import annotations

import json
from pathlib import Path

import gpu_checks
import pytest
from _specs import REFERENCE

from llmsynth import generate_run
from llmsynth.spec import spec_from_dict

pytestmark = pytest.mark.model


def test_the_random_model_loads_by_path_and_writes_valid_rows(tmp_path: Path) -> None:
    folder = tmp_path / "random-qwen2"
    written = gpu_checks.write_random_model(folder, "cpu", "float32", tiny=True)
    config = json.loads((folder / "config.json").read_text())
    assert config["model_type"] == "qwen2"
    assert config["num_hidden_layers"] == gpu_checks.SHAPES_TINY["num_hidden_layers"]
    assert (folder / "tokenizer.json").exists()
    assert written["parameters"] > 0
    spec = spec_from_dict({**REFERENCE, "model": {"name": str(folder), "device": "cpu", "dtype": "float32"}})
    run = generate_run(spec, rows=4, seed=0)
    assert run.stats is not None
    assert run.stats.llm.first_pass_valid == 4
    assert run.data["country"].isin(REFERENCE["columns"][1]["fields"]["country"]["choices"]).all()
    assert run.data["score"].between(0, 100).all()
