"""Row memory over a shared prefix kept once: the model's outputs equal transformers' plain forward passes over
each row's whole text, for rows of different lengths (padding), after hidden columns, and for rows copied from
a twin; for our own Llama forward (the default model's runtime) and for transformers' model code alike."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from llmsynth.backends.hf_rows import TransformersRows
from llmsynth.backends.kv_rows import Feed, RowMemory

pytestmark = pytest.mark.model


def plain_logits(model: Any, tokens: list[int]) -> torch.Tensor:
    with torch.inference_mode():
        return model(torch.tensor([tokens])).logits[0]


@pytest.mark.parametrize("runtime", ["native", "transformers"])
def test_rows_over_a_shared_prefix_match_plain_forward_passes(default_backend: Any, runtime: str) -> None:
    assert default_backend.loaded.runtime == "native"
    reference, _ = default_backend.loaded.transformers_objects()
    tokenizer = default_backend.tokenizer
    model = default_backend.model if runtime == "native" else TransformersRows(reference)
    prefix = tokenizer.encode("You write customer records. A customer aged", add_special_tokens=False)
    rows = [tokenizer.encode(text, add_special_tokens=False) for text in (" 34, who likes tea.", " 71", " 5 and")]
    memory = RowMemory(model, model.prefix_memory(prefix), len(rows), 8)
    feeds = [Feed() for _ in rows]
    for feed, row in zip(feeds, rows, strict=True):
        feed.chain_text(row, len(prefix))
    hidden, start = memory.forward(feeds)
    assert start == len(prefix)
    with torch.inference_mode():
        for index, row in enumerate(rows):
            expected = plain_logits(reference, prefix + row)[len(prefix):]
            got = model.lm_head(hidden[index, : len(row)])
            torch.testing.assert_close(got, expected, atol=1e-3, rtol=1e-4)
    # row 0 takes back its last token; row 2 is replaced by a copy of row 1 (a twin); one more token each
    memory.hide(0, [start + len(rows[0]) - 1])
    memory.select_rows([0, 1, 1])
    texts = [rows[0][:-1], rows[1], rows[1]]
    step = []
    for text in texts:
        feed = Feed()
        feed.chain(42, len(prefix) + len(text))
        step.append(feed)
    hidden, _ = memory.forward(step)
    with torch.inference_mode():
        for index, text in enumerate(texts):
            expected = plain_logits(reference, prefix + text + [42])[-1]
            torch.testing.assert_close(model.lm_head(hidden[index, 0]), expected, atol=1e-3, rtol=1e-4)
    if runtime == "transformers":
        assert reference.config._attn_implementation == "llmsynth_rows"
        # outside our passes the model is transformers' own: a plain pass still matches itself batched
        with torch.inference_mode():
            alone = plain_logits(reference, prefix)[-1]
            batched = reference(torch.tensor([prefix, prefix])).logits[1, -1]
        torch.testing.assert_close(alone, batched, atol=1e-3, rtol=1e-4)
