"""Our own Llama forward against transformers' on the same weights: small random Llama models saved by
transformers (default, linear and Llama 3 RoPE; biases; untied output), read back by ``load_native``, give
the logits transformers gives, through the shared-prefix pass and the rows' pass over it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from llmsynth.backends.kv_rows import Feed, RowMemory
from llmsynth.backends.native_llama import load_native, read_config, supports
from llmsynth.errors import ModelLoadError

TINY = {"vocab_size": 97, "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 256}


def save_tiny(folder: Path, **changes: Any) -> Any:
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(**{**TINY, **changes})).eval()
    model.save_pretrained(folder, safe_serialization=True)
    return model


@pytest.mark.parametrize("changes", [
    {"tie_word_embeddings": True},
    {"tie_word_embeddings": False, "attention_bias": True, "rope_theta": 500.0},
    {"rope_scaling": {"rope_type": "linear", "factor": 2.0}},
    {"rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                      "original_max_position_embeddings": 16}},
], ids=["tied", "bias-untied", "linear-rope", "llama3-rope"])
def test_native_logits_equal_transformers(tmp_path: Path, changes: dict[str, Any]) -> None:
    reference = save_tiny(tmp_path, **changes)
    config = read_config(tmp_path)
    assert supports(config) is None
    model = load_native(tmp_path, config, torch.float32, "cpu")
    prefix = [5, 17, 3, 88, 41, 9, 60]
    rows = [[12, 33, 7, 70, 2], [45], [8, 8, 91]]
    memory = RowMemory(model, model.prefix_memory(prefix), len(rows), 4)
    feeds = [Feed() for _ in rows]
    for feed, row in zip(feeds, rows, strict=True):
        feed.chain_text(row, len(prefix))
    hidden, start = memory.forward(feeds)
    assert start == len(prefix)
    with torch.inference_mode():
        for index, row in enumerate(rows):
            expected = reference(torch.tensor([prefix + row])).logits[0, len(prefix):]
            torch.testing.assert_close(model.lm_head(hidden[index, : len(row)]), expected, atol=1e-4, rtol=1e-4)


def test_native_without_a_prefix_and_in_bfloat16(tmp_path: Path) -> None:
    reference = save_tiny(tmp_path).to(torch.bfloat16)
    model = load_native(tmp_path, read_config(tmp_path), torch.bfloat16, "cpu")
    assert model.dtype == torch.bfloat16
    memory = RowMemory(model, model.prefix_memory([]), 1, 4)
    feed = Feed()
    feed.chain_text([3, 14, 15, 92], 0)
    hidden, start = memory.forward([feed])
    assert start == 0
    with torch.inference_mode():
        expected = reference(torch.tensor([[3, 14, 15, 92]])).logits[0].float()
        got = model.lm_head(hidden[0]).float()
    assert (got - expected).abs().max() < 0.1  # bf16 rounding, summed over two layers
    assert torch.equal(got.argmax(-1), expected.argmax(-1))


@pytest.mark.parametrize(("config", "reason"), [
    ({"model_type": "qwen2"}, "model type 'qwen2' is not llama"),
    ({"model_type": "llama", "hidden_act": "gelu"}, "activation 'gelu'"),
    ({"model_type": "llama", "mlp_bias": True}, "biases in the MLP"),
    ({"model_type": "llama", "rope_scaling": {"type": "yarn", "factor": 4.0}}, "RoPE 'yarn'"),
    ({"model_type": "llama", "rope_parameters": {"rope_theta": 1e4, "rope_type": "dynamic"}}, "RoPE 'dynamic'"),
], ids=["other-architecture", "activation", "mlp-bias", "yarn", "dynamic"])
def test_configs_our_forward_does_not_cover_are_named(config: dict[str, Any], reason: str) -> None:
    assert supports(config) == reason


def test_weights_that_do_not_follow_the_layout_are_a_clear_error(tmp_path: Path) -> None:
    save_tiny(tmp_path)
    config = {**read_config(tmp_path), "num_hidden_layers": 3}  # one layer more than the weights hold
    with pytest.raises(ModelLoadError, match=r"model\.layers\.2\."):
        load_native(tmp_path, config, torch.float32, "cpu")
