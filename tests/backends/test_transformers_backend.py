"""Batching in the transformers backend: length-sorted batches, answers back in prompt order, OOM back-off."""

from __future__ import annotations

from typing import Any

import numpy as np
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
    backend = TransformersBackend.from_config(ModelConfig(device="cuda", runtime="transformers"))
    assert backend.loaded.dtype == "bfloat16"
    assert backend.model.config._attn_implementation == "sdpa"
    assert backend._initial_batch_size(200, 100) >= 64
    native = TransformersBackend.from_config(ModelConfig(device="cuda"))
    assert native.loaded.runtime == "native"
    assert native.model.device.type == "cuda"
    assert native._initial_batch_size(200, 100) >= 64


def test_lanes_keep_rows_with_the_same_prompt_together_and_balance_the_rest() -> None:
    from llmsynth.backends.frame_decoder import RowJob
    from llmsynth.backends.transformers_backend import lane_shares

    suffixes = [[1, 2], [3], [1, 2], [4], [1, 2], [5], [3], [6]]
    jobs = [RowJob(suffix, np.random.default_rng(0)) for suffix in suffixes]
    shares = lane_shares(jobs, 2)
    assert sorted(i for share in shares for i in share) == list(range(8))  # every row once
    assert [len(share) for share in shares] == [4, 4]
    for share in shares:
        assert share == sorted(share)  # the given order (longest prompts first) within a lane
        kinds = {tuple(suffixes[i]) for i in share}
        for other in shares:
            if other is not share:
                assert not kinds & {tuple(suffixes[i]) for i in other}  # a prompt lives in one lane


def test_two_lanes_on_a_cpu_only_with_rows_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    from llmsynth.backends.transformers_backend import decode_lanes

    monkeypatch.setattr(torch, "get_num_threads", lambda: 2)
    assert decode_lanes("cpu", 64, 64) == 2
    assert decode_lanes("cpu", 5, 64) == 1  # a preview's rows: one batch is cheaper
    assert decode_lanes("cuda", 64, 64) == 1
    monkeypatch.setattr(torch, "get_num_threads", lambda: 1)
    assert decode_lanes("cpu", 64, 64) == 1
