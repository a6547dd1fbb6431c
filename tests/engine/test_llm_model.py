"""The real default model through LLMFiller: valid rows, reproducible with a seed, conditioned on the row."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from llmsynth.engine.llm_step import LLMFiller
from llmsynth.models.gguf_cache import STAMP, cached_folder
from llmsynth.models.sources import locate
from llmsynth.spec import DatasetSpec, spec_from_dict

pytestmark = pytest.mark.model

GROUP = {
    "kind": "llm",
    "name": "profile",
    "system": "You write short customer records.",
    "prompt": "A customer who lives in {{ city }}. Give their job, age, segment and satisfaction.",
    "fields": {
        "job": {"type": "string", "max_length": 16},
        "age": {"type": "integer", "min": 18, "max": 70},
        "segment": {"type": "choice", "choices": ["budget", "regular", "premium"]},
        "satisfaction": {"type": "number", "min": 0, "max": 1},
    },
}


def make_spec(**group: Any) -> DatasetSpec:
    return spec_from_dict({
        "seed": 5,
        "generation": {"retries": 2},
        "model": {"device": "cpu"},
        "columns": [{"name": "city", "kind": "categorical", "categories": {"Tokyo": 1.0}}, {**GROUP, **group}],
    })


FRAME = pd.DataFrame({"city": ["Tokyo", "Lima", "Oslo", "Lagos", "Paris", "Cairo"]})


def test_rows_are_valid_and_reproducible(default_backend: Any) -> None:
    spec = make_spec()
    group = spec.llm_groups()[0]
    filler = LLMFiller(spec, default_backend)
    values, rejects, stats = filler.fill(group, FRAME, chunk=0)
    model = filler.plan(group).model
    written = values.dropna()
    assert len(written) + len(rejects) == len(FRAME)
    assert stats.first_pass_valid >= 5
    for row in written.to_dict("records"):
        model.model_validate(row)
    assert written["age"].between(18, 70).all()
    assert set(written["segment"]) <= {"budget", "regular", "premium"}
    assert stats.generated_tokens >= 6 * 15  # four keys and values of compact JSON per row
    plan = filler.plan(group)
    prompts = [default_backend.format_chat(plan.builder.messages(r, i)) for i, r in enumerate(FRAME.to_dict("records"))]
    lengths = [len(default_backend.tokenizer.encode(p, add_special_tokens=False)) for p in prompts]
    # the prompts' shared start is prefilled once: fewer prompt tokens than the rows' prompts add up to
    assert max(lengths) < stats.prompt_tokens < sum(lengths) // 2
    again, _, _ = filler.fill(group, FRAME, chunk=0)
    pd.testing.assert_frame_equal(values, again)
    frames = len(default_backend._frames)
    filler.fill(group, FRAME.iloc[:2], chunk=1)
    assert len(default_backend._frames) == frames  # the frame's tokens are built once per group, reused


def test_values_depend_on_the_prompt(default_backend: Any) -> None:
    spec = make_spec()
    group = spec.llm_groups()[0]
    filler = LLMFiller(spec, default_backend)
    near, _, _ = filler.fill(group, pd.DataFrame({"city": ["Tokyo"] * 4}), chunk=0)
    far, _, _ = filler.fill(group, pd.DataFrame({"city": ["a small fishing village in Norway"] * 4}), chunk=0)
    # same seeds and batch: only the rendered prompt differs, so equal rows would mean it was ignored
    differing = (near.astype(str) != far.astype(str)).any(axis=1).sum()
    assert differing >= 3
    assert near["job"].nunique() >= 2  # sampling, not greedy collapse


def test_free_decoding_parses_json_from_the_model(default_backend: Any) -> None:
    spec = make_spec(decoding="free", parser="json")
    spec.generation.max_new_tokens = 64
    spec.generation.retries = 0
    group = spec.llm_groups()[0]
    filler = LLMFiller(spec, default_backend)
    values, rejects, stats = filler.fill(group, FRAME.iloc[:3], chunk=0)
    model = filler.plan(group).model
    assert stats.generated_tokens > 0
    for row in values.dropna().to_dict("records"):
        model.model_validate(row)
    for reject in rejects:
        assert reject.reason
        assert reject.attempts == 1
    assert len(values.dropna()) + len(rejects) == 3


def test_gguf_weights_are_converted_once_into_the_cache(default_backend: Any) -> None:
    folder = default_backend.loaded.folder
    assert (folder / STAMP).is_file()
    assert (folder / "model.safetensors").is_file()
    before = (folder / "model.safetensors").stat().st_mtime_ns
    assert cached_folder(locate("smollm2-135m")) == folder
    assert (folder / "model.safetensors").stat().st_mtime_ns == before
    from llmsynth.models.loading import cpu_has_native_bf16

    assert default_backend.loaded.dtype == ("bfloat16" if cpu_has_native_bf16() else "float32")
