"""The tokenizer read without transformers gives what transformers' tokenizer gives on the same folder:
every token's text, encodings, special tokens and the rendered chat template."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from llmsynth.errors import ModelLoadError
from llmsynth.models.light_tokenizer import LightTokenizer

pytestmark = pytest.mark.model

TEXTS = ["Customer C00017: 41 years old, lives in Japan.", '{"job":"Nurse","note":"Buys tea."}',
         "  two  spaces\n\tand tab", "Ünïcödé — naïve café 日本語 🙂", "<|im_start|>user\nHi<|im_end|>", "", "x" * 300]
CHATS = [
    [{"role": "system", "content": "You write JSON."}, {"role": "user", "content": "Give one row."}],
    [{"role": "user", "content": "No system turn here."}],
    [{"role": "system", "content": "S"}, {"role": "user", "content": "U"}, {"role": "assistant", "content": "A"},
     {"role": "user", "content": "U2"}],
]


@pytest.fixture(scope="module")
def folder(default_backend: Any) -> Path:
    return Path(default_backend.loaded.folder)


def test_matches_transformers_on_the_default_model(default_backend: Any, folder: Path) -> None:
    light = LightTokenizer(folder)
    _, reference = default_backend.loaded.transformers_objects()
    assert len(light) == len(reference)
    assert sorted(light.all_special_ids) == sorted(reference.all_special_ids)
    assert (light.eos_token, light.eos_token_id, light.pad_token_id) == (
        reference.eos_token, reference.eos_token_id, reference.pad_token_id)
    for token_id in range(len(reference)):
        assert light.decode([token_id]) == reference.decode([token_id]), token_id
    for text in TEXTS:
        ids = reference.encode(text, add_special_tokens=False)
        assert light.encode(text, add_special_tokens=False) == ids
        assert light(text, add_special_tokens=False)["input_ids"] == ids
        assert light.decode(ids, skip_special_tokens=True) == reference.decode(ids, skip_special_tokens=True)
    batch = reference(TEXTS, add_special_tokens=False)["input_ids"]
    assert light(TEXTS, add_special_tokens=False)["input_ids"] == batch
    for messages in CHATS:
        for prompt in (True, False):
            assert light.apply_chat_template(messages, tokenize=False, add_generation_prompt=prompt) == (
                reference.apply_chat_template(messages, tokenize=False, add_generation_prompt=prompt))
    ids = light.apply_chat_template(CHATS[0], tokenize=True, add_generation_prompt=True)
    assert ids == reference.apply_chat_template(CHATS[0], tokenize=True, add_generation_prompt=True)["input_ids"]


def test_template_and_special_tokens_from_an_older_config(folder: Path, tmp_path: Path) -> None:
    """Folders written by older transformers keep the template in tokenizer_config.json (a string, or named
    templates) and may write special tokens as dicts; the pad token falls back to the end token."""
    shutil.copy(folder / "tokenizer.json", tmp_path / "tokenizer.json")
    template = "{% for m in messages %}[{{ m['role'] }}] {{ m['content'] | tojson }}{{ eos_token }}\n{% endfor %}"
    settings = {"eos_token": {"content": "<|im_end|>", "special": True}, "bos_token": "<|im_start|>",
                "chat_template": [{"name": "tool_use", "template": "unused"},
                                  {"name": "default", "template": template}]}
    (tmp_path / "tokenizer_config.json").write_text(json.dumps(settings), encoding="utf-8")
    light = LightTokenizer(tmp_path)
    assert light.eos_token == "<|im_end|>"
    assert light.pad_token_id == light.eos_token_id == light.encode("<|im_end|>", add_special_tokens=False)[0]
    text = light.apply_chat_template([{"role": "user", "content": 'say "hi"'}], add_generation_prompt=True)
    assert text == '[user] "say \\"hi\\""<|im_end|>\n'
    settings["chat_template"] = "{{ raise_exception('no chats here') }}"
    (tmp_path / "tokenizer_config.json").write_text(json.dumps(settings), encoding="utf-8")
    from jinja2.exceptions import TemplateError

    with pytest.raises(TemplateError, match="no chats here"):
        LightTokenizer(tmp_path).apply_chat_template([{"role": "user", "content": "x"}])
    del settings["chat_template"]
    (tmp_path / "tokenizer_config.json").write_text(json.dumps(settings), encoding="utf-8")
    with pytest.raises(ModelLoadError, match="has no chat template"):
        LightTokenizer(tmp_path).apply_chat_template([{"role": "user", "content": "x"}])
