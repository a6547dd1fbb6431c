"""Shared prefixes kept on disk: a stored prefix is read back bit for bit, so rows decode exactly as when it
was computed; other tokens, another dtype or a damaged file are computed again; the store stays bounded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from llmsynth.backends import prefix_store
from llmsynth.backends.frame import build_frame
from llmsynth.backends.prefix_store import MIN_TOKENS, PrefixStore, model_identity
from llmsynth.spec.schema import ColumnSchema

pytestmark = pytest.mark.model


def few_shot_prompt(backend: Any, age: int) -> str:
    turns = [{"role": "system", "content": "You write customer records as JSON with a job and a segment."}]
    for example_age, job in ((29, "Software tester"), (58, "Pharmacist"), (37, "Bus driver")):
        turns += [{"role": "user", "content": f"A customer aged {example_age}."},
                  {"role": "assistant", "content": f'{{"job":"{job}","segment":"regular"}}'}]
    turns.append({"role": "user", "content": f"A customer aged {age}."})
    return str(backend.format_chat(turns))


def test_a_stored_prefix_is_read_back_exactly_and_decodes_the_same(default_backend: Any, tmp_path: Path) -> None:
    loaded = default_backend.loaded
    store = PrefixStore(model_identity(loaded.folder, loaded.dtype, loaded.runtime), tmp_path)
    tokens = default_backend.tokenizer.encode(few_shot_prompt(default_backend, 40), add_special_tokens=False)
    assert len(tokens) >= MIN_TOKENS
    computed = store.prefix(tokens, default_backend.rows_model.prefix_memory)
    assert store.hits == 0
    assert len(list(tmp_path.glob("*.safetensors"))) == 1
    read = store.prefix(tokens, default_backend.rows_model.prefix_memory)
    assert store.hits == 1
    assert all(torch.equal(a, b) and torch.equal(c, d) for (a, c), (b, d) in zip(computed, read, strict=True))
    store.prefix(tokens[:-1], default_backend.rows_model.prefix_memory)  # other tokens: computed
    assert store.hits == 1
    assert len(list(tmp_path.glob("*.safetensors"))) == 2
    other_dtype = PrefixStore(model_identity(loaded.folder, "bfloat16", loaded.runtime), tmp_path)
    other_dtype.prefix(tokens, lambda t: computed)
    assert other_dtype.hits == 0

    # the whole decode: answers with the prefix computed equal answers with it read from the store
    frame = build_frame([ColumnSchema(name="job", type="string", max_length=20),
                         ColumnSchema(name="segment", type="choice", choices=("budget", "regular", "premium"))])
    prompts = [few_shot_prompt(default_backend, age) for age in (23, 47, 71)]

    def answers() -> list[str]:
        default_backend._prefix = None  # forget the in-memory copy
        streams = [np.random.default_rng(seed) for seed in (1, 2, 3)]
        return [a.text for a in default_backend.fill_frames(prompts, frame, streams, temperature=1.0, top_p=0.95)]

    saved = default_backend._prefixes
    try:
        default_backend._prefixes = PrefixStore(store.identity, tmp_path / "run")
        cold = answers()
        warm = answers()
        assert default_backend._prefixes.hits == 1
        assert warm == cold
    finally:
        default_backend._prefixes = saved
        default_backend._prefix = None


def test_damaged_files_are_computed_again_and_the_store_stays_bounded(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def compute(tokens: list[int]) -> list[tuple[torch.Tensor, torch.Tensor]]:
        calls.append(len(tokens))
        keys = torch.arange(2 * len(tokens), dtype=torch.float32).reshape(1, 1, len(tokens), 2)
        return [(keys, -keys), (keys + 1, keys - 1)]

    store = PrefixStore("model-a", tmp_path)
    tokens = list(range(MIN_TOKENS))
    store.prefix(tokens, compute)
    (stored,) = tmp_path.glob("*.safetensors")
    stored.write_bytes(b"not a safetensors file")
    again = store.prefix(tokens, compute)
    assert calls == [MIN_TOKENS, MIN_TOKENS]
    assert store.hits == 0
    assert torch.equal(again[1][1], compute(tokens)[1][1])
    store.prefix(tokens[:10], compute)  # too short to be worth a file
    assert len(list(tmp_path.glob("*.safetensors"))) == 1
    monkeypatch.setattr(prefix_store, "MAX_ENTRIES", 3)
    for extra in range(5):
        store.prefix([*tokens, extra], compute)
    assert len(list(tmp_path.glob("*.safetensors"))) == 3
    assert PrefixStore("model-a", None).prefix(tokens, compute)[0][0].shape == (1, 1, MIN_TOKENS, 2)
