"""The chunk runner: reproducible chunks, LLM rejects topped up, validation before anything leaves."""

import json
import re
from pathlib import Path

import pandas as pd

import llmsynth
from llmsynth.backends.fake import FakeBackend
from llmsynth.spec import spec_from_dict

SPEC = {
    "name": "runner",
    "rows": 12,
    "seed": 5,
    "generation": {"chunk_size": 5, "retries": 1},
    "columns": [
        {"name": "age", "kind": "integer", "low": 18, "high": 70},
        {
            "kind": "llm",
            "prompt": "Person aged {{ age }}",
            "fields": {"job": {"type": "string", "max_length": 20}, "score": {"type": "integer", "min": 0, "max": 9}},
        },
    ],
}


def test_fake_backend_rows_are_valid_and_conditioned_on_scaffold() -> None:
    backend = FakeBackend()
    run = llmsynth.generate_run(spec_from_dict(SPEC), backend=backend)
    assert len(run.data) == 12
    assert list(run.data.columns) == ["age", "job", "score"]
    assert run.data["score"].between(0, 9).all()
    assert run.data["age"].between(18, 70).all()
    prompts = [p for call in backend.calls for p in call.prompts]
    ages = [str(a) for a in run.data["age"]]
    assert all(any(f"Person aged {a}" in p for p in prompts) for a in ages)
    assert run.stats is not None
    assert run.stats.rows_written == 12
    assert run.stats.llm.rows >= 12


def test_rows_that_never_validate_are_rejected_and_topped_up(tmp_path: Path) -> None:
    broken = '{"job": "x", "score": 99}'  # score above its maximum: invalid every time

    def script(prompt: str) -> str:
        bad = any(f"aged {prefix}" in prompt for prefix in ("18", "19", "2"))
        return broken if bad else '{"job": "ok", "score": 1}'

    spec = spec_from_dict(SPEC)
    output = tmp_path / "out.csv"
    run = llmsynth.generate_run(spec, output=output, backend=FakeBackend(script=script))
    data = pd.read_csv(output)
    assert len(data) == 12
    assert not data["age"].astype(str).str.match(r"^(18|19|2\d)$").any()
    assert (data["score"] == 1).all()
    rejects = [json.loads(line) for line in (tmp_path / "out.rejects.jsonl").read_text().splitlines()]
    assert rejects, "the broken rows must be recorded"
    assert all(r["raw"] == broken for r in rejects)
    assert all("score" in r["reason"] for r in rejects)
    record = json.loads((tmp_path / "out.run.json").read_text())
    assert record["rejected"] == len(rejects) == run.stats.rejected  # type: ignore[union-attr]
    assert record["retries"] >= len(rejects)


def test_same_seed_same_table_regardless_of_chunk_order() -> None:
    from llmsynth.engine.runner import Runner

    spec = spec_from_dict(SPEC)
    forward = Runner(spec, backend=FakeBackend())
    backward = Runner(spec, backend=FakeBackend())
    first = [forward.chunk(i, 5).data for i in range(3)]
    second = [backward.chunk(i, 5).data for i in reversed(range(3))][::-1]
    for a, b in zip(first, second, strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_sequence_ids_are_unique_across_chunks() -> None:
    spec = spec_from_dict(
        {"rows": 23, "generation": {"chunk_size": 5}, "columns": [{"name": "id", "kind": "id", "prefix": "R"}]}
    )
    data = llmsynth.generate(spec)
    assert data["id"].tolist() == [f"R{i}" for i in range(1, 24)]


def test_decoding_override_switches_every_group_to_free_text() -> None:
    backend = FakeBackend(free_text="job: Nurse\nscore: 7")
    spec = spec_from_dict({**SPEC, "columns": [*SPEC["columns"][:1], {**SPEC["columns"][1], "parser": "kv"}]})
    data = llmsynth.generate(spec, rows=4, decoding="free", backend=backend)
    assert data["job"].tolist() == ["Nurse"] * 4
    assert data["score"].tolist() == [7] * 4
    assert all(call.schema is None for call in backend.calls)  # no grammar: the parser did the work
    assert spec.llm_groups()[0].decoding == "constrained"  # the spec itself is unchanged


def test_a_low_yield_run_still_gets_every_row_asked_for() -> None:
    # only ages ending in 3 or 7 validate (about 1 row in 5): three times the planned chunks would not do
    def script(prompt: str) -> str:
        ok = re.search(r"aged \d*[37]\b", prompt) is not None
        return '{"job": "ok", "score": 1}' if ok else '{"job": "x", "score": 99}'

    run = llmsynth.generate_run(spec_from_dict(SPEC), backend=FakeBackend(script=script))
    assert len(run.data) == 12
    assert run.data["age"].astype(str).str.endswith(("3", "7")).all()
    assert run.stats is not None
    assert run.stats.chunks > 3 * 3  # planned: 3 chunks of 5 rows


def test_a_run_whose_rows_never_validate_stops_instead_of_looping() -> None:
    run = llmsynth.generate_run(spec_from_dict(SPEC), backend=FakeBackend(script=lambda p: "{}"))
    assert run.data.empty
    assert run.stats is not None
    assert run.stats.chunks == 6  # the 3 planned chunks, then 3 top-ups that yield nothing
