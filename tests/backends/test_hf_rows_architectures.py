"""Architectures that add to attention, driven through ``hf_rows`` (transformers' model code over our row
memory): tiny random models, checked against transformers' own plain forward passes of the same weights.

Gemma 2 caps attention scores and final logits and alternates sliding-window layers; it loads with eager
attention, which must stay in use outside our passes (SDPA would drop the capping)."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from transformers import Gemma2Config, Gemma2ForCausalLM, Qwen2Config, Qwen2ForCausalLM

from llmsynth.backends.hf_rows import TransformersRows
from llmsynth.backends.kv_rows import Feed, RowMemory
from llmsynth.errors import GenerationError

SIZES = {"vocab_size": 96, "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 2,
         "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 256}
PREFIX = [5, 17, 33, 2, 60, 41, 8, 12, 70, 3, 19]
ROWS = [[44, 9, 81, 23, 6], [15], [62, 62, 1]]


def _pair(kind: str, **config: Any) -> tuple[Any, Any]:
    """Two copies of one random model: one for our passes, one left as transformers loaded it."""
    torch.manual_seed(0)
    if kind == "gemma2":  # one config object each: TransformersRows switches its model's attention
        ours = Gemma2ForCausalLM(Gemma2Config(**SIZES, head_dim=16, **config)).eval()
        plain = Gemma2ForCausalLM(Gemma2Config(**SIZES, head_dim=16, **config)).eval()
        with torch.no_grad():  # attention scores of a few units (a random init gives about 1e-3), so caps bind
            for name, parameter in ours.named_parameters():
                if name.endswith(("q_proj.weight", "k_proj.weight")):
                    parameter.mul_(40.0)
    else:
        ours = Qwen2ForCausalLM(Qwen2Config(**SIZES, **config)).eval()
        plain = Qwen2ForCausalLM(Qwen2Config(**SIZES, **config)).eval()
    plain.load_state_dict(ours.state_dict())
    return ours, plain


def _plain_logits(model: Any, tokens: list[int]) -> torch.Tensor:
    with torch.inference_mode():
        return model(torch.tensor([tokens])).logits[0]


# caps below Gemma 2's (50 and 30), so that they bind for a small random model
CAPS = {"attn_logit_softcapping": 1.0, "final_logit_softcapping": 0.5}


@pytest.mark.parametrize(("kind", "config"), [("gemma2", {"sliding_window": 64, **CAPS}), ("qwen2", {})],
                         ids=["gemma2-capped", "qwen2"])
def test_rows_match_transformers_plain_passes(kind: str, config: dict[str, Any]) -> None:
    ours, plain = _pair(kind, **config)
    model = TransformersRows(ours)
    memory = RowMemory(model, model.prefix_memory(PREFIX), len(ROWS), 8)
    feeds = [Feed() for _ in ROWS]
    for feed, row in zip(feeds, ROWS, strict=True):
        feed.chain_text(row, len(PREFIX))
    hidden, start = memory.forward(feeds)
    assert start == len(PREFIX)
    with torch.inference_mode():
        for index, row in enumerate(ROWS):
            expected = _plain_logits(plain, PREFIX + row)[len(PREFIX):]
            torch.testing.assert_close(model.lm_head(hidden[index, : len(row)]), expected, atol=2e-4, rtol=1e-4)
            # outside our passes the model is still transformers' own, capping included
            torch.testing.assert_close(_plain_logits(ours, PREFIX + row), _plain_logits(plain, PREFIX + row),
                                       atol=2e-4, rtol=1e-4)
    if kind == "gemma2":
        assert plain.config._attn_implementation == "eager"
        uncapped, _ = _pair(kind, sliding_window=64, attn_logit_softcapping=None, final_logit_softcapping=None)
        uncapped.load_state_dict(plain.state_dict())
        difference = (_plain_logits(uncapped, PREFIX) - _plain_logits(plain, PREFIX)).abs().max()
        assert difference > 0.1  # the caps change these logits: a decoder that dropped them would fail above


def test_a_context_past_the_sliding_window_is_refused_not_attended_wrongly() -> None:
    ours, _ = _pair("gemma2", sliding_window=12)
    model = TransformersRows(ours)
    memory = RowMemory(model, model.prefix_memory(PREFIX), 1, 8)
    feed = Feed()
    feed.chain_text(ROWS[0], len(PREFIX))
    with pytest.raises(GenerationError, match="context of 16 tokens passes the model's sliding attention window of 12"):
        memory.forward([feed])
