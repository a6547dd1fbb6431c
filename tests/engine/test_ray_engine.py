"""The Ray engine on a local cluster of 2 worker processes: the same table as the local engine, a killed
worker loses and repeats nothing, and a Ray run resumes a stopped one."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

import llmsynth
from llmsynth.cli.main import app
from llmsynth.engine import ray_engine
from llmsynth.errors import RunInterrupted, SpecError
from llmsynth.spec import spec_from_dict

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'llmsynth[ray]'; the dev extra has it)")

SCAFFOLD = {
    "name": "ray", "rows": 2000, "seed": 11, "generation": {"chunk_size": 50},
    "columns": [
        {"name": "id", "kind": "id", "prefix": "R"},
        {"name": "x", "kind": "normal", "mean": 0, "sd": 1},
        {"name": "c", "kind": "categorical", "categories": {"a": 0.3, "b": 0.7}},
        {"name": "y", "kind": "expression", "expr": "2 * x + 1"},
    ],
}


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    """One local cluster for the module (starting one costs ~10 s); runs join it instead of starting their own."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="WARNING")
    yield
    ray.shutdown()


def test_ray_run_equals_the_local_run(cluster: None, tmp_path: Path) -> None:
    local = llmsynth.generate(spec_from_dict(SCAFFOLD), output=tmp_path / "local.parquet")
    on_ray = llmsynth.generate(spec_from_dict(SCAFFOLD), output=tmp_path / "ray.parquet", engine="ray", workers=2)
    assert on_ray.equals(local)
    assert len(on_ray) == 2000
    record = json.loads((tmp_path / "ray.run.json").read_text())
    assert record["chunks"] == 40
    assert record["rows_written"] == 2000


def test_a_killed_worker_loses_and_repeats_nothing(cluster: None, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMSYNTH_COMMIT_SECONDS", "0")
    local = llmsynth.generate(spec_from_dict(SCAFFOLD))
    killed: list[int] = []
    seen: list[ray_engine.RayWorkers] = []

    def kill_one_worker(done: int, total: int) -> None:
        workers = ray_engine.current_workers()
        if workers is not None and done >= 500 and not killed:  # mid-run, 10 chunks in
            seen.append(workers)
            killed.append(workers.pids[0])
            os.kill(workers.pids[0], signal.SIGKILL)

    run = llmsynth.generate_run(spec_from_dict(SCAFFOLD), output=tmp_path / "out.csv", engine="ray", workers=2,
                                progress=kill_one_worker)
    assert killed
    with pytest.raises(ProcessLookupError):
        os.kill(killed[0], 0)  # the worker really died
    assert seen[0].restarts == 1  # Ray restarted it, and it made chunks again
    assert killed[0] not in seen[0].pids
    written = pd.read_csv(tmp_path / "out.csv")
    assert written["id"].is_unique
    assert len(written) == 2000
    pd.testing.assert_frame_equal(written, pd.read_csv(_csv(local, tmp_path)))
    assert run.stats is not None
    assert run.stats.chunks == 40


def _csv(frame: pd.DataFrame, folder: Path) -> Path:
    path = folder / "local.csv"
    frame.to_csv(path, index=False)
    return path


def test_a_ray_run_resumes_a_stopped_local_run(cluster: None, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMSYNTH_COMMIT_SECONDS", "0")
    output = tmp_path / "out.csv"

    def stop(done: int, total: int) -> None:
        if done >= 700:
            raise KeyboardInterrupt

    with pytest.raises(RunInterrupted, match="650 of 2000 rows are saved"):
        llmsynth.generate_run(spec_from_dict(SCAFFOLD), output=output, progress=stop)
    run = llmsynth.generate_run(spec_from_dict(SCAFFOLD), output=output, engine="ray", workers=2, resume=True)
    assert run.stats is not None
    assert run.stats.resumed == 1
    reference = tmp_path / "reference.csv"
    llmsynth.generate_run(spec_from_dict(SCAFFOLD), output=reference)
    assert output.read_bytes() == reference.read_bytes()


def test_cli_engine_ray(cluster: None, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(json.dumps(SCAFFOLD))
    done = CliRunner().invoke(app, [
        "generate", str(spec), "-n", "300", "-o", str(tmp_path / "out.csv"), "--engine", "ray", "--workers", "2"])
    assert done.exit_code == 0, done.output
    assert "wrote 300 rows" in done.output
    assert pd.read_csv(tmp_path / "out.csv")["id"].tolist() == llmsynth.generate(
        spec_from_dict(SCAFFOLD), rows=300)["id"].tolist()


def test_errors_inside_a_worker_reach_the_caller_as_themselves(cluster: None) -> None:
    spec = {**SCAFFOLD, "model": {"backend": "nope"}, "columns": [
        *SCAFFOLD["columns"], {"kind": "llm", "prompt": "Row {{ id }}", "fields": {"word": {"type": "string"}}}]}
    with pytest.raises(SpecError, match="unknown backend 'nope'"):
        llmsynth.generate(spec_from_dict(spec), rows=10, engine="ray", workers=1)


@pytest.mark.model
def test_ray_with_the_default_model_equals_the_local_run(cluster: None, default_backend: Any) -> None:
    spec = llmsynth.load_spec(Path(__file__).parents[2] / "examples" / "customers.yaml").with_overrides(
        **{"generation.chunk_size": 4, "model.device": "cpu"})
    local = llmsynth.generate(spec, rows=8, seed=3, backend=default_backend)
    on_ray = llmsynth.generate(spec, rows=8, seed=3, engine="ray", workers=2)  # one chunk of 4 rows each
    pd.testing.assert_frame_equal(on_ray, local)
    assert on_ray["job"].notna().all()
