"""Durable runs through the Python API: failures and Ctrl-C keep what was done, resume gives the same
table as an uninterrupted run, changed runs and existing outputs are refused with what to do."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import llmsynth
from llmsynth.backends.fake import FakeBackend
from llmsynth.errors import OutputError, RunInterrupted, SpecError
from llmsynth.spec import spec_from_dict

SPEC = {
    "name": "durable",
    "rows": 30,
    "seed": 5,
    "generation": {"chunk_size": 5, "retries": 0},
    "columns": [
        {"name": "age", "kind": "integer", "low": 18, "high": 70},
        {"kind": "llm", "prompt": "Person aged {{ age }}",
         "fields": {"job": {"type": "string", "max_length": 20}, "score": {"type": "integer", "min": 0, "max": 9}}},
    ],
}


def _answer(prompt: str) -> str:
    """Deterministic answers; ages in the 40s get an invalid score, so rows are rejected and topped up."""
    age = int(prompt.rsplit("Person aged ", 1)[1].split()[0])
    return json.dumps({"job": f"job {age}", "score": 99 if 40 <= age < 50 else age % 10})


def _backend(on_prompt: Callable[[str], None] | None = None) -> FakeBackend:
    def script(prompt: str) -> str:
        if on_prompt is not None:
            on_prompt(prompt)
        return _answer(prompt)

    return FakeBackend(script=script)


def _fail_once_at(chunk_marker: int) -> Callable[[str], None]:
    seen = {"calls": 0}

    def hook(prompt: str) -> None:
        seen["calls"] += 1
        if seen["calls"] == chunk_marker:
            raise RuntimeError("the model crashed")

    return hook


@pytest.fixture
def reference(tmp_path: Path) -> tuple[pd.DataFrame, list[str]]:
    output = tmp_path / "reference.csv"
    llmsynth.generate_run(spec_from_dict(SPEC), output=output, backend=_backend())
    return pd.read_csv(output), (tmp_path / "reference.rejects.jsonl").read_text().splitlines()


def test_failed_run_keeps_its_chunks_and_resume_gives_the_same_table(
    tmp_path: Path, reference: tuple[pd.DataFrame, list[str]]
) -> None:
    output = tmp_path / "out.csv"
    with pytest.raises(RuntimeError, match="the model crashed") as failure:
        llmsynth.generate_run(spec_from_dict(SPEC), output=output, backend=_backend(_fail_once_at(23)))
    notes = " ".join(getattr(failure.value, "__notes__", []))
    assert "20 of 30 rows are saved" not in notes  # rows 40-49 are rejected: fewer than 5 per chunk survive
    assert "rows are saved in" in notes
    assert "--resume" in notes
    assert not output.exists()
    parts = tmp_path / "out.csv.parts"
    manifest = json.loads((parts / "manifest.json").read_text())
    assert [c["index"] for c in manifest["chunks"]] == [0, 1, 2, 3]  # the chunks before the failing one

    run = llmsynth.generate_run(spec_from_dict(SPEC), output=output, backend=_backend(), resume=True)
    pd.testing.assert_frame_equal(pd.read_csv(output), reference[0])
    assert (tmp_path / "out.rejects.jsonl").read_text().splitlines() == reference[1]
    assert run.stats is not None
    assert run.stats.resumed == 1
    assert run.stats.rows_written == 30
    record = json.loads((tmp_path / "out.run.json").read_text())
    assert record["resumed"] == 1
    assert record["rejected"] == len(reference[1]) == len(run.rejects)
    assert not parts.exists()


def test_ctrl_c_stops_after_the_current_chunk(tmp_path: Path, reference: tuple[pd.DataFrame, list[str]]) -> None:
    output = tmp_path / "out.parquet"
    calls = {"n": 0}

    def press_ctrl_c(prompt: str) -> None:
        calls["n"] += 1
        if calls["n"] == 12:  # in the third chunk
            signal.raise_signal(signal.SIGINT)

    saved = r"rows are saved in .*out\.parquet\.parts; continue with --resume"
    with pytest.raises(RunInterrupted, match=saved) as stop:
        llmsynth.generate_run(spec_from_dict(SPEC), output=output, backend=_backend(press_ctrl_c))
    assert stop.value.exit_code == 130
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored
    manifest = json.loads((tmp_path / "out.parquet.parts" / "manifest.json").read_text())
    assert [c["index"] for c in manifest["chunks"]] == [0, 1, 2]  # the chunk under way was finished and kept
    assert not output.exists()

    data = llmsynth.generate(spec_from_dict(SPEC), output=output, backend=_backend(), resume=True)
    pd.testing.assert_frame_equal(data, reference[0], check_dtype=False)


def test_resume_refuses_a_changed_run_and_says_what_changed(tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    with pytest.raises(RuntimeError):
        llmsynth.generate_run(spec_from_dict(SPEC), output=output, backend=_backend(_fail_once_at(12)))
    changed_column = {**SPEC, "columns": [{**SPEC["columns"][0], "high": 80}, SPEC["columns"][1]]}
    cases = [
        ({"seed": 6}, spec_from_dict(SPEC), "seed: 5 -> 6"),
        ({"rows": 40}, spec_from_dict(SPEC), "rows: 30 -> 40"),
        ({"model": {"batch_size": 4}}, spec_from_dict(SPEC), "model.batch_size: \"auto\" -> 4"),
        ({}, spec_from_dict(changed_column), "column 'age' changed"),
    ]
    for options, spec, message in cases:
        with pytest.raises(OutputError, match="cannot resume") as refused:
            llmsynth.generate_run(spec, output=output, backend=_backend(), resume=True, **options)
        assert message in str(refused.value)
        assert refused.value.exit_code == 2
    llmsynth.generate_run(spec_from_dict(SPEC), output=output, backend=_backend(), resume=True)
    assert len(pd.read_json(output, lines=True)) == 30


def test_unfinished_run_needs_resume_or_force(tmp_path: Path, reference: tuple[pd.DataFrame, list[str]]) -> None:
    output = tmp_path / "out.csv"
    with pytest.raises(RuntimeError):
        llmsynth.generate_run(spec_from_dict(SPEC), output=output, backend=_backend(_fail_once_at(12)))
    unfinished = r"holds an unfinished run of .*out\.csv \(\d+ of 30 rows\).*--resume.*--force"
    with pytest.raises(OutputError, match=unfinished):
        llmsynth.generate_run(spec_from_dict(SPEC), output=output, backend=_backend())
    llmsynth.generate_run(spec_from_dict(SPEC), output=output, backend=_backend(), force=True)
    pd.testing.assert_frame_equal(pd.read_csv(output), reference[0])


def test_existing_output_is_kept_unless_forced_and_until_the_run_completes(tmp_path: Path) -> None:
    output = tmp_path / "keep.csv"
    output.write_text("a,b\n1,2\n")
    with pytest.raises(OutputError, match=r"keep\.csv already exists; pass --force"):
        llmsynth.generate_run(spec_from_dict(SPEC), output=output, backend=_backend())
    with pytest.raises(RuntimeError):
        llmsynth.generate_run(spec_from_dict(SPEC), output=output, backend=_backend(_fail_once_at(3)), force=True)
    assert output.read_text() == "a,b\n1,2\n"
    assert not (tmp_path / "keep.csv.parts").exists()  # nothing was done, so nothing is kept
    llmsynth.generate_run(spec_from_dict(SPEC), output=output, backend=_backend(), force=True)
    assert len(pd.read_csv(output)) == 30


def test_resume_of_a_finished_run_changes_nothing(tmp_path: Path) -> None:
    output = tmp_path / "out.csv"
    first = llmsynth.generate_run(spec_from_dict(SPEC), output=output, backend=_backend())
    before = output.read_bytes()
    again = llmsynth.generate_run(spec_from_dict(SPEC), output=output, backend=_backend(), resume=True)
    assert output.read_bytes() == before
    assert again.stats is not None
    assert first.stats is not None
    assert again.stats.rows_written == first.stats.rows_written == 30
    with pytest.raises(OutputError, match="already exists"):  # a different run is not "finished"
        llmsynth.generate_run(spec_from_dict(SPEC), seed=9, output=output, backend=_backend(), resume=True)


@pytest.mark.parametrize("rows", [0, -3, 10**10], ids=["zero", "negative", "too-many"])
def test_row_counts_are_positive_and_bounded(rows: int) -> None:
    with pytest.raises(SpecError, match=r"row count .* is -?\d+; a run makes 1 to 1,000,000,000 rows"):
        llmsynth.generate(spec_from_dict(SPEC), rows=rows, backend=_backend())


def test_resume_needs_an_output() -> None:
    with pytest.raises(OutputError, match="pass output="):
        llmsynth.generate(spec_from_dict(SPEC), resume=True, backend=_backend())


def test_a_resumed_run_stops_topping_up_where_an_uninterrupted_one_does(tmp_path: Path) -> None:
    """Every row invalid: the planned chunks and the top-ups yield nothing, and the run stops after a fixed
    number of empty top-ups; a run that fails among them and is resumed stops at the same chunk."""

    def never_valid(prompt: str) -> str:
        return json.dumps({"job": "x", "score": 99})

    spec = spec_from_dict(SPEC)
    whole = llmsynth.generate_run(spec, output=tmp_path / "whole.csv", backend=FakeBackend(script=never_valid))
    assert whole.stats is not None
    assert whole.stats.rows_written == 0
    assert whole.stats.chunks == 12  # 6 planned chunks, then 6 empty top-ups

    calls = {"n": 0}

    def fail_in_the_top_ups(prompt: str) -> str:
        calls["n"] += 1
        if calls["n"] == 6 * 5 + 3 * 5 + 2:  # in the fourth top-up
            raise RuntimeError("the model crashed")
        return never_valid(prompt)

    output = tmp_path / "resumed.csv"
    with pytest.raises(RuntimeError):
        llmsynth.generate_run(spec, output=output, backend=FakeBackend(script=fail_in_the_top_ups))
    resumed = llmsynth.generate_run(spec, output=output, backend=FakeBackend(script=never_valid), resume=True)
    assert resumed.stats is not None
    assert resumed.stats.chunks == 12
    assert resumed.rejects == whole.rejects
    assert output.read_text() == (tmp_path / "whole.csv").read_text() == "age,job,score\n"
