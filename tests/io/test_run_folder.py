"""The run folder: only committed chunks count, assembly follows chunk order, finishing is repeatable."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from llmsynth.errors import OutputError
from llmsynth.io import read_table
from llmsynth.io.run_folder import RunFolder, run_folder_for

COLUMNS = ["n", "word", "x"]


def _chunk(index: int, rows: int = 3) -> pd.DataFrame:
    start = index * 10
    return pd.DataFrame({"n": range(start, start + rows), "word": [f"w{i}日本" for i in range(rows)],
                         "x": [i / 3 for i in range(rows)]})


def _create(tmp_path: Path, fmt: str) -> tuple[RunFolder, Path]:
    output = tmp_path / f"out.{fmt}"
    folder = RunFolder.create(run_folder_for(output), fmt, COLUMNS, {"options": {"seed": 1}}, ["log.jsonl"])
    return folder, output


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_uncommitted_work_is_rolled_back_on_open(tmp_path: Path, fmt: str) -> None:
    folder, output = _create(tmp_path, fmt)
    for index in (0, 1):
        folder.write_chunk(index, _chunk(index))
    folder.append_log("log.jsonl", ['{"chunk": 0}', '{"chunk": 1}'])
    folder.commit({"done": 2})
    folder.write_chunk(2, _chunk(2))  # never committed: as if the process died here
    folder.append_log("log.jsonl", ['{"chunk": 2}'])
    folder.close()

    again = RunFolder.open(folder.path)
    assert [entry.index for entry in again.chunks] == [0, 1]
    assert again.rows == 6
    assert again.state == {"done": 2}
    assert again.read_log("log.jsonl") == ['{"chunk": 0}', '{"chunk": 1}']
    assert sorted(p.name for p in folder.path.glob("part-*")) == [f"part-000000.{fmt}"]
    again.write_chunk(2, _chunk(2, rows=2))
    again.commit({"done": 3})
    assert again.finish(output, {"log.jsonl": tmp_path / "log.jsonl"}) == 8
    data = read_table(output)
    assert data["n"].tolist() == [0, 1, 2, 10, 11, 12, 20, 21]
    assert data["word"].iloc[0] == "w0日本"
    assert (tmp_path / "log.jsonl").read_text().splitlines() == ['{"chunk": 0}', '{"chunk": 1}']
    assert not folder.path.exists()


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_assembly_follows_chunk_index_not_write_order(tmp_path: Path, fmt: str) -> None:
    folder, output = _create(tmp_path, fmt)
    for index in (2, 0):  # one shard's chunks, then another's
        folder.write_chunk(index, _chunk(index))
        folder.commit({})
    folder.write_chunk(1, _chunk(1).iloc[:0])  # a chunk whose rows were all rejected
    folder.write_chunk(3, _chunk(3, rows=1))
    folder.commit({})
    folder.finish(output, {})
    assert read_table(output)["n"].tolist() == [0, 1, 2, 20, 21, 22, 30]


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_a_run_without_rows_leaves_a_readable_file(tmp_path: Path, fmt: str) -> None:
    folder, output = _create(tmp_path, fmt)
    folder.commit({})
    folder.finish(output, {})
    assert output.exists()
    if fmt != "jsonl":  # JSON Lines has no header: an empty file
        assert list(read_table(output).columns) == COLUMNS


def test_finish_resumes_after_a_crash_between_its_steps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import llmsynth.io.run_folder as module

    folder, output = _create(tmp_path, "csv")
    folder.write_chunk(0, _chunk(0))
    folder.commit({})
    real = module.move_durably

    def fail_on_output(source: Path, target: Path) -> None:
        if target == output:
            raise OSError("simulated crash before the output is renamed into place")
        real(source, target)

    monkeypatch.setattr(module, "move_durably", fail_on_output)
    with pytest.raises(OSError, match="simulated"):
        folder.finish(output, {"log.jsonl": tmp_path / "log.jsonl"})
    folder.close()
    assert not output.exists()
    assert (tmp_path / "log.jsonl").exists()  # moved before the crash
    monkeypatch.setattr(module, "move_durably", real)
    again = RunFolder.open(folder.path)
    assert again.complete
    again.finish(output, {"log.jsonl": tmp_path / "log.jsonl"})
    assert read_table(output)["n"].tolist() == [0, 1, 2]
    assert not folder.path.exists()


def test_second_writer_is_refused(tmp_path: Path) -> None:
    folder, _ = _create(tmp_path, "csv")
    with pytest.raises(OutputError, match="another llmsynth run is writing"):
        RunFolder.open(folder.path)
    folder.close()
    RunFolder.open(folder.path).close()


def test_damaged_manifest_says_how_to_start_over(tmp_path: Path) -> None:
    folder, _ = _create(tmp_path, "csv")
    folder.close()
    (folder.path / "manifest.json").write_text("{not json")
    with pytest.raises(OutputError, match=r"out\.csv\.parts: not a usable run folder .*--force"):
        RunFolder.open(folder.path)
    RunFolder.remove(folder.path)
    assert not folder.path.exists()


def test_manifest_is_plain_json_with_chunk_locations(tmp_path: Path) -> None:
    folder, _ = _create(tmp_path, "csv")
    folder.write_chunk(0, _chunk(0))
    folder.commit({"k": 1})
    manifest = json.loads((folder.path / "manifest.json").read_text())
    assert manifest["chunks"] == [{"index": 0, "part": "part-000000.csv", "rows": 3, "offset": 0,
                                   "length": (folder.path / "part-000000.csv").stat().st_size, "row_group": -1}]
    assert manifest["header"] == {"options": {"seed": 1}}
    assert manifest["state"] == {"k": 1}
    folder.close()


def test_parquet_assembly_joins_chunks_into_row_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow.parquet as pq

    import llmsynth.io.parts as parts

    monkeypatch.setattr(parts, "ROW_GROUP_ROWS", 5)
    folder, output = _create(tmp_path, "parquet")
    for index in range(4):  # 4 chunks of 3 rows, over two commits
        folder.write_chunk(index, _chunk(index))
        if index == 1:
            folder.commit({})
    folder.commit({})
    folder.finish(output, {})
    meta = pq.ParquetFile(output).metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [6, 6]
    assert read_table(output)["n"].tolist() == [0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32]
