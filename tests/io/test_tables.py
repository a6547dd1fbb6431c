"""Tables round-trip through every supported suffix, chunk by chunk."""

from pathlib import Path

import pandas as pd
import pytest

from llmsynth.errors import InputDataError
from llmsynth.io import TableWriter, read_table, write_table

FRAME = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "日本"], "c": [0.5, 1.5, None]})


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_chunks_append_and_read_back(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"t{suffix}"
    writer = TableWriter(path)
    writer.write(FRAME.iloc[:2])
    writer.write(FRAME.iloc[2:])
    writer.close()
    back = read_table(path)
    assert writer.rows == 3
    assert back["a"].tolist() == [1, 2, 3]
    assert back["b"].tolist() == ["x", "y", "日本"]
    assert back["c"].iloc[:2].tolist() == [0.5, 1.5]
    assert pd.isna(back["c"].iloc[2])


def test_unknown_suffix_and_missing_file_are_clear(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match=r"unsupported file type '\.xlsx'"):
        write_table(FRAME, tmp_path / "t.xlsx")
    with pytest.raises(InputDataError, match="file not found"):
        read_table(tmp_path / "missing.csv")


def test_garbage_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"\x00\x01not parquet")
    with pytest.raises(InputDataError, match=r"bad\.parquet: cannot read as parquet"):
        read_table(path)
