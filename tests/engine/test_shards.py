"""Shards and merge: any split of a run's chunks, merged, is the single-process table, rows, order,
rejects and counters included; merge refuses parts that do not make one whole run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.dataset as ds
import pytest
from typer.testing import CliRunner

import llmsynth
from llmsynth.backends.fake import FakeBackend
from llmsynth.backends.registry import BACKENDS
from llmsynth.cli.main import app
from llmsynth.engine.shards import Shard
from llmsynth.errors import EngineError, InputDataError, OutputError
from llmsynth.spec import spec_from_dict

SCAFFOLD = {
    "name": "shards", "rows": 1000, "seed": 3, "generation": {"chunk_size": 64},
    "columns": [
        {"name": "id", "kind": "id", "prefix": "R"},
        {"name": "x", "kind": "normal", "mean": 0, "sd": 1},
        {"name": "c", "kind": "categorical", "categories": {"a": 0.3, "b": 0.7}},
    ],
}
# LLM rows whose age is in the 40s get an invalid score: rejected, so the run ends with top-up chunks
REJECTING = {
    "name": "rejecting", "rows": 60, "seed": 5, "generation": {"chunk_size": 8, "retries": 0},
    "model": {"backend": "half-broken"},
    "columns": [
        {"name": "age", "kind": "integer", "low": 18, "high": 70},
        {"kind": "llm", "prompt": "Person aged {{ age }}",
         "fields": {"job": {"type": "string", "max_length": 20}, "score": {"type": "integer", "min": 0, "max": 9}}},
    ],
}


class HalfBroken(FakeBackend):
    """The shipped fake with a fixed script: answers that break the schema for ages in the 40s."""

    @classmethod
    def from_config(cls, config: Any) -> HalfBroken:
        def answer(prompt: str) -> str:
            age = int(prompt.rsplit("Person aged ", 1)[1].split()[0])
            return json.dumps({"job": f"job {age}", "score": 99 if 40 <= age < 50 else age % 10})

        return cls(script=answer)


@pytest.fixture
def half_broken(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(BACKENDS.plugins(), "half-broken", f"{__name__}:HalfBroken")  # as a plugin would


def _shards(spec: dict[str, Any], folder: Path, count: int, suffix: str, **options: Any) -> list[Path]:
    paths = []
    for index in range(1, count + 1):
        path = folder / f"part{index}.{suffix}"
        llmsynth.generate_run(spec_from_dict(spec), output=path, shard=f"{index}/{count}", **options)
        paths.append(path)
    return paths


def _record(path: Path) -> dict[str, Any]:
    record = json.loads(path.read_text())
    for key in ("seconds", "rows_per_s", "tokens_per_s"):
        record.pop(key)
    return record


@pytest.mark.parametrize(("rows", "size", "count"), [(1000, 64, 3), (10, 4, 5), (5, 8, 3), (640, 64, 10)],
                         ids=["uneven", "more-shards-than-half", "more-shards-than-chunks", "even"])
def test_shards_split_the_planned_chunks_into_contiguous_ranges(rows: int, size: int, count: int) -> None:
    ranges = [Shard(i, count).chunks(rows, size) for i in range(1, count + 1)]
    indices = [i for r in ranges for i in r]
    assert indices == list(range(-(-rows // size)))
    lengths = [len(r) for r in ranges]
    assert max(lengths) - min(lengths) <= 1


def test_shards_merged_into_a_file_are_the_single_run_byte_for_byte(tmp_path: Path) -> None:
    llmsynth.generate_run(spec_from_dict(SCAFFOLD), output=tmp_path / "full.csv")
    parts = _shards(SCAFFOLD, tmp_path, 3, "csv")
    assert [len(pd.read_csv(p)) for p in parts] == [320, 320, 360]  # chunks 0-4, 5-9, 10-15
    stats = llmsynth.merge(parts[::-1], tmp_path / "merged.csv")  # any order on the command line
    assert (tmp_path / "merged.csv").read_bytes() == (tmp_path / "full.csv").read_bytes()
    assert stats.rows_written == 1000
    assert _record(tmp_path / "merged.run.json") == _record(tmp_path / "full.run.json")  # fingerprint too


def test_parquet_shards_merge_into_a_dataset_folder_that_readers_take_as_it_is(tmp_path: Path) -> None:
    full = llmsynth.generate(spec_from_dict(SCAFFOLD), output=tmp_path / "full.parquet")
    (tmp_path / "shards").mkdir()
    parts = _shards(SCAFFOLD, tmp_path / "shards", 4, "parquet")
    llmsynth.merge(parts, tmp_path / "dataset")
    names = sorted(p.name for p in (tmp_path / "dataset").iterdir())
    assert names == ["_rejects.jsonl", "_run.json", *(f"part-{i:05d}.parquet" for i in range(4))]
    assert pd.read_parquet(tmp_path / "dataset").equals(pd.read_parquet(tmp_path / "full.parquet"))
    assert ds.dataset(tmp_path / "dataset").to_table().to_pandas()["id"].tolist() == full["id"].tolist()
    llmsynth.merge([tmp_path / "shards"], tmp_path / "again.parquet")  # a folder of shard files is accepted too
    assert pd.read_parquet(tmp_path / "again.parquet").equals(pd.read_parquet(tmp_path / "full.parquet"))


def test_merge_makes_the_top_up_chunks_a_single_run_ends_with(tmp_path: Path, half_broken: None) -> None:
    llmsynth.generate_run(spec_from_dict(REJECTING), output=tmp_path / "full.jsonl")
    full = _record(tmp_path / "full.run.json")
    assert full["rejected"] > 0
    assert full["chunks"] > 8  # 8 planned chunks, then top-ups
    parts = _shards(REJECTING, tmp_path, 3, "jsonl")
    assert sum(len(pd.read_json(p, lines=True)) for p in parts) == 60 - full["rejected"] + _top_up_rejects(tmp_path)
    llmsynth.merge(parts, tmp_path / "merged.jsonl")
    assert (tmp_path / "merged.jsonl").read_bytes() == (tmp_path / "full.jsonl").read_bytes()
    assert (tmp_path / "merged.rejects.jsonl").read_text() == (tmp_path / "full.rejects.jsonl").read_text()
    assert _record(tmp_path / "merged.run.json") == full


def _top_up_rejects(folder: Path) -> int:
    """Rejected rows of the full run that fell in its top-up chunks (rows 60 onwards)."""
    lines = (folder / "full.rejects.jsonl").read_text().splitlines()
    return sum(json.loads(line)["row"] >= 64 for line in lines)


def test_merge_refuses_parts_that_do_not_make_one_run(tmp_path: Path) -> None:
    parts = _shards(SCAFFOLD, tmp_path, 3, "csv")
    other_seed = tmp_path / "seed4.csv"
    llmsynth.generate_run(spec_from_dict(SCAFFOLD), seed=4, output=other_seed, shard="2/3")
    other_split = tmp_path / "of4.csv"
    llmsynth.generate_run(spec_from_dict(SCAFFOLD), output=other_split, shard="2/4")
    other_rows = tmp_path / "rows.csv"
    llmsynth.generate_run(spec_from_dict(SCAFFOLD), rows=999, output=other_rows, shard="2/3")
    whole = tmp_path / "whole.csv"
    llmsynth.generate_run(spec_from_dict(SCAFFOLD), output=whole)
    cases = [
        ([parts[0], parts[2]], InputDataError, "shards missing: 2/3"),
        ([parts[0], parts[1], parts[1], parts[2]], InputDataError, "shard 2/3 is given twice"),
        ([parts[0], other_seed, parts[2]], InputDataError, "not from the same run as .*seed: 3 -> 4"),
        ([parts[0], other_rows, parts[2]], InputDataError, "rows: 1000 -> 999"),
        ([parts[0], other_split, parts[2]], InputDataError, "one of 4 shards"),
        ([whole], InputDataError, "not a shard of a run"),
        ([tmp_path / "nope.csv"], InputDataError, "file not found"),
        (parts, OutputError, "the shards are csv files"),
    ]
    for given, error, message in cases:
        target = tmp_path / ("out.parquet" if error is OutputError else "out.csv")
        with pytest.raises(error, match=message):
            llmsynth.merge(given, target)
        assert not target.exists()
    llmsynth.merge(parts, tmp_path / "out.csv")
    with pytest.raises(OutputError, match="already exists; pass --force"):
        llmsynth.merge(parts, tmp_path / "out.csv")
    llmsynth.merge(parts, tmp_path / "out.csv", force=True)


def test_cli_shard_and_merge_with_clear_errors(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(json.dumps(SCAFFOLD))
    cli = CliRunner()
    for index in (1, 2):
        done = cli.invoke(app, ["generate", str(spec), "--shard", f"{index}/2", "-o", str(tmp_path / f"p{index}.csv"),
                                "-q"])
        assert done.exit_code == 0, done.output
    done = cli.invoke(app, ["merge", str(tmp_path / "p1.csv"), str(tmp_path / "p2.csv"), "-o", str(tmp_path / "m.csv")])
    assert done.exit_code == 0, done.output
    assert len(pd.read_csv(tmp_path / "m.csv")) == 1000
    done = cli.invoke(app, ["merge", str(tmp_path / "p1.csv"), "-o", str(tmp_path / "m2.csv")])
    assert done.exit_code == 2
    assert done.output.strip().splitlines()[-1] == "error: shards missing: 2/2; merge needs all 2 shards of the run"
    for bad, message in [("3/2", "--shard 3/2: I must be 1 to N"), ("half", "write it as I/N")]:
        done = cli.invoke(app, ["generate", str(spec), "--shard", bad, "-o", str(tmp_path / "x.csv")])
        assert done.exit_code == 2
        assert message in done.output


def test_specs_with_unique_llm_columns_are_not_split(tmp_path: Path) -> None:
    spec = {**REJECTING, "columns": [REJECTING["columns"][0], {**REJECTING["columns"][1], "fields": {
        "job": {"type": "string", "max_length": 20, "unique": True}}}]}
    for options in ({"shard": "1/2"}, {"engine": "ray"}):
        with pytest.raises(EngineError, match=r"column 'job': .* cannot split this spec, because it is unique"):
            llmsynth.generate_run(spec_from_dict(spec), output=tmp_path / "out.csv", **options)


def test_engine_options_are_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(EngineError, match="--workers applies to --engine ray"):
        llmsynth.generate(spec_from_dict(SCAFFOLD), workers=2)
    with pytest.raises(EngineError, match="--engine 'spark': choose one of local, ray"):
        llmsynth.generate(spec_from_dict(SCAFFOLD), engine="spark")
    with pytest.raises(EngineError, match="--shard 1/2 writes one part of a run to a file"):
        llmsynth.generate(spec_from_dict(SCAFFOLD), shard="1/2")
    monkeypatch.setitem(__import__("sys").modules, "ray", None)  # as if Ray were not installed
    with pytest.raises(EngineError, match=r"needs Ray, which is not installed: pip install 'llmsynth\[ray\]'"):
        llmsynth.generate(spec_from_dict(SCAFFOLD), engine="ray")
