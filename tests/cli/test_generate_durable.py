"""`llmsynth generate` as a user meets it: what it refuses (exit 2, one line naming the path), what it
never destroys, and --resume / --force."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from llmsynth.cli.main import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

SPEC = """
name: scaffold
rows: 40
seed: 3
generation: {chunk_size: 16}
columns:
  - {name: height, kind: normal, mean: 170, sd: 10}
  - {name: country, kind: categorical, categories: {A: 0.7, B: 0.3}}
"""


@pytest.fixture
def spec_path(tmp_path: Path) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC)
    return path


def _generate(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["generate", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.mark.parametrize("force", [[], ["--force"]], ids=["plain", "force"])
def test_a_failed_run_leaves_the_existing_output_intact(tmp_path: Path, force: list[str]) -> None:
    keep = tmp_path / "keep.csv"
    keep.write_text("a,b\n1,2\n")
    code, output = _generate(str(EXAMPLES / "customers.yaml"), "-n", "2", "-o", str(keep),
                             "--model", "no-such-model", *force)
    assert code == 2
    assert keep.read_text() == "a,b\n1,2\n"
    assert not (tmp_path / "keep.csv.parts").exists()
    assert not (tmp_path / "keep.run.json").exists()
    assert ("already exists; pass --force" in output) == (not force)
    assert ("no-such-model" in output) == bool(force)


def test_an_existing_output_is_replaced_only_with_force(spec_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    assert _generate(str(spec_path), "-o", str(out), "--seed", "1")[0] == 0
    first = pd.read_parquet(out)
    code, said = _generate(str(spec_path), "-o", str(out), "--seed", "2")
    assert code == 2
    assert "out.parquet already exists; pass --force to replace it" in said
    pd.testing.assert_frame_equal(pd.read_parquet(out), first)
    assert _generate(str(spec_path), "-o", str(out), "--seed", "2", "--force")[0] == 0
    assert not pd.read_parquet(out)["height"].equals(first["height"])


def test_resume_refuses_a_changed_seed_naming_it(spec_path: Path, tmp_path: Path) -> None:
    import llmsynth
    from llmsynth.io.run_folder import RunFolder, run_folder_for

    out = tmp_path / "out.csv"
    # an unfinished run: its folder as a killed process leaves it
    spec = llmsynth.load_spec(spec_path)
    from llmsynth.engine.fingerprint import run_options

    header = {"options": run_options(spec, 40, "csv"), "replace": False}
    RunFolder.create(run_folder_for(out), "csv", spec.column_names, header, ["rejects.jsonl", "carried.jsonl"]).close()
    code, said = _generate(str(spec_path), "-o", str(out), "--seed", "4", "--resume")
    assert code == 2
    assert "cannot resume" in said
    assert "seed: 3 -> 4" in said
    code, said = _generate(str(spec_path), "-o", str(out))
    assert code == 2
    assert "holds an unfinished run" in said
    assert _generate(str(spec_path), "-o", str(out), "--resume")[0] == 0
    assert len(pd.read_csv(out)) == 40


@pytest.mark.parametrize("rows", ["0", "-5", "5000000000"])
def test_row_counts_outside_the_bound_are_refused(spec_path: Path, tmp_path: Path, rows: str) -> None:
    code, said = _generate(str(spec_path), "-n", rows, "-o", str(tmp_path / "out.csv"))
    assert code == 2
    assert f"is {rows}; a run makes 1 to 1,000,000,000 rows" in said
    assert not list(tmp_path.glob("out*"))


def test_a_folder_as_output_is_exit_2(spec_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "data.csv"
    folder.mkdir()
    code, said = _generate(str(spec_path), "-o", str(folder))
    assert code == 2
    assert f"{folder} is a folder" in said


def test_an_output_under_a_file_is_exit_2(spec_path: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("x")
    code, said = _generate(str(spec_path), "-o", str(blocker / "out.csv"))
    assert code == 2
    assert f"{blocker} is a file, not a folder" in said


def test_permission_denied_while_writing_is_exit_2_naming_the_path(
    spec_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Path.mkdir

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        if self.name.endswith(".parts.new"):
            raise PermissionError(13, "Permission denied", str(self))
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", refuse)
    code, said = _generate(str(spec_path), "-o", str(tmp_path / "out.csv"))
    assert code == 2
    assert "out.csv.parts" in said
    assert "Permission denied" in said
    assert "unexpected" not in said


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_folder_is_exit_2(spec_path: Path, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code, said = _generate(str(spec_path), "-o", str(locked / "out.csv"))
    finally:
        locked.chmod(0o700)
    assert code == 2
    assert f"no permission to write in {locked}" in said


def test_an_input_path_that_is_a_folder_is_exit_2(tmp_path: Path) -> None:
    code, said = _generate(str(tmp_path), "-o", str(tmp_path / "out.csv"))
    assert code == 2
    assert str(tmp_path) in said
    assert "unexpected" not in said
