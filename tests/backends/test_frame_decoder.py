"""The frame decoder on the real default model: exact candidate scores, row answers independent of the batch,
valid values, and texts that end at a boundary."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch

from llmsynth.backends.frame import build_frame
from llmsynth.engine.llm_step import LLMFiller, row_stream
from llmsynth.spec import spec_from_dict
from llmsynth.spec.schema import ColumnSchema

pytestmark = pytest.mark.model

SEGMENT = ColumnSchema(name="segment", type="choice", choices=("budget", "regular", "premium", "luxury tier"))


def chat(backend: Any, text: str) -> str:
    system = "You write customer records as JSON with keys segment, age and note."
    return str(backend.format_chat([{"role": "system", "content": system}, {"role": "user", "content": text}]))


def test_enum_probabilities_equal_the_models_probabilities_of_whole_candidates(default_backend: Any) -> None:
    frame = build_frame([SEGMENT, ColumnSchema(name="age", type="integer", minimum=18, maximum=90)])
    prompt = chat(default_backend, "A customer aged 71 who buys only the finest goods.")
    answer = default_backend.fill_frames([prompt], frame, [np.random.default_rng(0)], temperature=1.0, top_p=1.0)[0]
    got = answer.probabilities["segment"]
    # reference: one plain forward pass of transformers' own model per candidate over the exact tokens the
    # frame contains (the decoder runs our own forward of the same weights)
    model, tokenizer = default_backend.loaded.transformers_objects()
    # of the value's tokens, then of any token that closes the string (the frame writes its own closer)
    base = tokenizer.encode(prompt + '{"segment":"', add_special_tokens=False)
    texts = tokenizer.batch_decode([[i] for i in range(model.config.vocab_size)])
    closing = torch.tensor([t.startswith('"') for t in texts])
    scores = []
    for choice in SEGMENT.choices or ():
        value = tokenizer.encode(choice, add_special_tokens=False)
        with torch.inference_mode():
            logp = torch.log_softmax(model(torch.tensor([base + value])).logits[0].float(), -1)
        tokens = sum(float(logp[len(base) - 1 + k, t]) for k, t in enumerate(value))
        scores.append(tokens + float(torch.logsumexp(logp[-1][closing], -1)))
    expected = np.exp(np.array(scores) - max(scores))
    np.testing.assert_allclose(got, expected / expected.sum(), atol=2e-3)
    assert json.loads(answer.text)["segment"] in SEGMENT.choices


def test_enum_values_drawn_by_rejection_follow_the_scored_probabilities(default_backend: Any) -> None:
    colour = ColumnSchema(name="colour", type="choice", choices=("red", "dark green", "blue", "yellow", "sky blue"))
    frame = build_frame([colour, ColumnSchema(name="size", type="integer", minimum=1, maximum=9)])
    system = "You write records as JSON with keys colour and size."
    prompt = str(default_backend.format_chat([{"role": "system", "content": system},
                                              {"role": "user", "content": "A random colour, please."}]))
    scored = default_backend.fill_frames([prompt], frame, [np.random.default_rng(0)], temperature=1.0, top_p=0.95)
    expected = scored[0].probabilities["colour"]
    assert 0.2 < expected.max() < 0.8  # the model hesitates here, so the comparison means something
    rows = 96
    streams = [np.random.default_rng(seed) for seed in np.random.SeedSequence(11).spawn(rows)]
    drawn = default_backend.fill_frames([prompt] * rows, frame, streams, temperature=1.0, top_p=0.95,
                                        scored=[False] * rows)
    values = [json.loads(a.text)["colour"] for a in drawn]
    share = np.array([values.count(c) for c in colour.choices or ()]) / rows
    assert 0.5 * np.abs(share - expected).sum() < 0.12, (share, expected)  # sampling noise at 96 rows: ~0.05
    scored_rows = sum(bool(a.probabilities) for a in drawn)
    assert scored_rows < rows // 4, scored_rows  # only rows whose redraws ran out were scored
    assert sum(a.tokens for a in drawn) < rows * scored[0].tokens  # no candidate trie fed


def test_a_frame_decoded_before_leaves_nothing_behind(default_backend: Any) -> None:
    other = build_frame([ColumnSchema(name="tier", type="choice", choices=("gold", "silver", "bronze"))])
    segment_frame = build_frame([SEGMENT])  # its only redraws are the choice's own
    prompts = [chat(default_backend, f"A customer aged {age}.") for age in (25, 47, 63, 80, 36, 52)]
    default_backend.fill_frames(prompts, other, [np.random.default_rng(9) for _ in prompts], temperature=1.0,
                                top_p=0.95, scored=[False] * len(prompts))
    answers = default_backend.fill_frames(prompts, segment_frame, [np.random.default_rng(s) for s in range(6)],
                                          temperature=1.0, top_p=0.95, scored=[False] * len(prompts))
    # a first-token mask left from the other frame's slot would reject every draw until the rows were scored
    scored = sum(bool(a.probabilities) for a in answers)
    assert scored < len(prompts) // 2, (scored, [a.rejections for a in answers])


def test_a_rows_answer_does_not_depend_on_its_batch(default_backend: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    frame = build_frame([
        ColumnSchema(name="job", type="string", max_length=20),
        SEGMENT,
        ColumnSchema(name="score", type="integer", minimum=0, maximum=100),
    ])
    prompts = [chat(default_backend, f"A customer aged {age}.") for age in range(20, 84, 4)]

    def run(batch: int) -> list[str]:
        monkeypatch.setattr(default_backend, "batch_size", batch)
        streams = [row_stream(3, "g", row, 0) for row in range(len(prompts))]
        answers = default_backend.fill_frames(prompts, frame, streams, temperature=1.0, top_p=0.95)
        return [a.text for a in answers]

    small, large = run(4), run(16)
    assert sum(a == b for a, b in zip(small, large, strict=True)) >= 14  # float noise may move a rare token
    for text in large:
        row = json.loads(text)
        assert 0 <= row["score"] <= 100
        assert len(row["job"]) <= 20
        assert row["segment"] in SEGMENT.choices
    assert len(set(large)) > 8  # rows differ: each has its own stream


def test_rows_with_the_same_prompt_are_prefilled_once_and_draw_their_own_answers(
        default_backend: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    frame = build_frame([ColumnSchema(name="job", type="string", max_length=20), SEGMENT])
    ages = [31, 58, 31, 31, 58, 74, 31, 58]  # three prompts, five of the rows repeat one
    prompts = [chat(default_backend, f"A customer aged {age}, who shops a lot.") for age in ages]
    suffix = len(default_backend.tokenizer.encode(f"{ages[0]}, who shops a lot.", add_special_tokens=False))

    def run(batch: int) -> list[Any]:
        monkeypatch.setattr(default_backend, "batch_size", batch)
        streams = [row_stream(5, "g", row, 0) for row in range(len(prompts))]
        return list(default_backend.fill_frames(prompts, frame, streams, temperature=1.0, top_p=0.95,
                                                scored=[False] * len(prompts)))

    together, alone = run(8), run(1)  # a batch of one row has no twin: every row prefills its own prompt
    fed_together = sum(a.tokens for a in together)
    fed_alone = sum(a.tokens for a in alone)
    assert fed_alone - fed_together >= 5 * suffix, (fed_alone, fed_together)  # five prompts not fed again
    # each row's answer is the one it gets alone (its own stream); float noise may move a rare token
    assert sum(a.text == b.text for a, b in zip(together, alone, strict=True)) >= 7
    repeated = [json.loads(a.text)["job"] for a, age in zip(together, ages, strict=True) if age == 31]
    assert len(set(repeated)) >= 2, repeated  # the same prompt, different draws


def test_texts_at_their_limit_end_on_a_word(default_backend: Any) -> None:
    frame = build_frame([ColumnSchema(name="note", type="string", max_length=12)])
    prompts = [chat(default_backend, "Describe this customer's buying habits in two long sentences.")] * 12
    streams = [np.random.default_rng(i) for i in range(12)]
    answers = default_backend.fill_frames(prompts, frame, streams, temperature=1.0, top_p=0.95)
    notes = [json.loads(a.text)["note"] for a in answers]
    assert sum(a.cut for a in answers) >= 1  # the model wanted to write more than 12 characters
    for note in notes:
        assert len(note) <= 12
        assert not note.endswith((",", " ", ";", ":", "-"))


def test_declared_weights_set_the_marginal_and_the_record_says_so(default_backend: Any) -> None:
    spec = spec_from_dict({
        "seed": 1,
        "model": {"device": "cpu"},
        "columns": [
            {"name": "income", "kind": "categorical", "categories": {"low": 0.5, "high": 0.5}},
            {"kind": "llm", "name": "g", "prompt": "A customer with {{ income }} income.",
             "fields": {"segment": {"type": "choice", "choices": {"budget": 0.3, "regular": 0.5, "premium": 0.2}}}},
        ],
    })
    group = spec.llm_groups()[0]
    frame = pd.DataFrame({"income": ["low", "high"] * 12})
    values, rejects, stats = LLMFiller(spec, default_backend).fill(group, frame, chunk=0)
    assert not rejects
    report = stats.calibration[0]
    assert report["field"] == "segment"
    assert report["target"] == {"budget": 0.3, "regular": 0.5, "premium": 0.2}
    assert set(report["cramers_v"]) == {"income"}
    assert set(values["segment"]) <= {"budget", "regular", "premium"}
    assert values["segment"].nunique() >= 2  # the model alone puts nearly all mass on one option here
    assert stats.explain
    assert set(stats.explain[0]["probabilities"]["segment"]) == {"budget", "regular", "premium"}
