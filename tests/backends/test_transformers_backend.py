"""Batching in the transformers backend: length-sorted batches, answers back in prompt order, OOM back-off."""

from __future__ import annotations

from typing import Any

import pytest

from llmsynth.backends.transformers_backend import TransformersBackend
from llmsynth.engine.rowschema import build_row_model
from llmsynth.spec import ColumnSchema, ModelConfig

pytestmark = pytest.mark.model


def echo_backend(
    default_backend: Any, monkeypatch: pytest.MonkeyPatch, fits: int
) -> tuple[Any, list[int], list[int]]:
    """The real tokenizer and model object, with decoding replaced by 'answer = prompt length'."""
    import torch

    backend = TransformersBackend(default_backend.loaded, batch_size=8)
    sizes: list[int] = []
    decoded: list[int] = []

    def fake_batch(ids: list[list[int]], *args: Any) -> list[str]:
        sizes.append(len(ids))
        if len(ids) > fits:
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        decoded.extend(len(row) for row in ids)
        return [str(len(row)) for row in ids]

    monkeypatch.setattr(backend, "_batch", fake_batch)
    return backend, sizes, decoded


def test_answers_come_back_in_prompt_order_and_oom_halves_the_batch(
    default_backend: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend, sizes, decoded = echo_backend(default_backend, monkeypatch, fits=2)
    prompts = ["word " * n for n in (3, 9, 1, 7, 5)]
    out = backend.generate(prompts, schema=None, max_new_tokens=4, temperature=1.0, top_p=1.0, seed=0)
    lengths = [len(backend.tokenizer(p, add_special_tokens=False)["input_ids"]) for p in prompts]
    assert out == [str(n) for n in lengths]
    assert sizes == [5, 4, 2, 2, 1]  # 5 rows (batch 8) -> OOM -> 4 -> OOM -> 2, 2, then the last one
    assert decoded == sorted(lengths, reverse=True)  # longest first: batches hold similar lengths


def test_oom_at_batch_one_is_raised(default_backend: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    backend, _, _ = echo_backend(default_backend, monkeypatch, fits=0)
    with pytest.raises(torch.OutOfMemoryError):
        backend.generate(["a"], schema=None, max_new_tokens=4, temperature=1.0, top_p=1.0, seed=0)


def test_real_batches_give_the_same_answers_for_the_same_seed_and_batch(default_backend: Any) -> None:
    schema = build_row_model([ColumnSchema(name="n", type="integer", minimum=0, maximum=9)])
    prompts = [default_backend.format_chat([{"role": "user", "content": f"Pick a digit for row {i}."}])
               for i in range(4)]
    run = [default_backend.generate(prompts, schema=schema, max_new_tokens=8, temperature=1.0, top_p=1.0,
                                    seed=3) for _ in range(2)]
    assert run[0] == run[1]
    assert all(0 <= schema.model_validate_json(text).model_dump()["f0"] <= 9 for text in run[0])


def test_chat_template_is_applied(default_backend: Any) -> None:
    text = default_backend.format_chat([{"role": "system", "content": "S"}, {"role": "user", "content": "U"}])
    assert text.startswith("<|im_start|>system\nS<|im_end|>")
    assert text.endswith("<|im_start|>assistant\n")


@pytest.mark.gpu
def test_gpu_defaults_bfloat16_sdpa_and_memory_sized_batches() -> None:
    backend = TransformersBackend.from_config(ModelConfig(device="cuda"))
    assert backend.loaded.dtype == "bfloat16"
    assert backend.model.config._attn_implementation == "sdpa"
    assert backend._initial_batch_size(200, 100) >= 64
