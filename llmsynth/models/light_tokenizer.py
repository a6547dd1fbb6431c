"""A model folder's tokenizer through the ``tokenizers`` library alone, without importing transformers.

The decoder needs only encode, decode, the special tokens and the chat template. transformers' tokenizer
classes give the same from ``tokenizer.json`` but cost over a second of imports; this class reads the same
files and renders the chat template as transformers does (sandboxed Jinja, ``trim_blocks`` and
``lstrip_blocks``, the special tokens as variables). Used with ``native_llama``; a test checks it against
transformers' tokenizer token for token.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from llmsynth.errors import ModelLoadError

SPECIAL_NAMES = ("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token")
CLEANUP = ((" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
           (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"))


class LightTokenizer:
    """Encode, decode and chat formatting with the attribute names of transformers' tokenizers."""

    padding_side = "left"

    def __init__(self, folder: Path) -> None:
        from tokenizers import Tokenizer

        self.folder = folder
        self.backend = Tokenizer.from_file(str(folder / "tokenizer.json"))
        settings = _read_json(folder / "tokenizer_config.json")
        self.tokens: dict[str, str | None] = {name: _content(settings.get(name)) for name in SPECIAL_NAMES}
        if self.tokens["pad_token"] is None:
            self.tokens["pad_token"] = self.tokens["eos_token"]
        extra = settings.get("additional_special_tokens") or settings.get("extra_special_tokens") or []
        named = [t for t in self.tokens.values() if t] + [c for c in map(_content, extra) if c]
        self.all_special_ids = list(dict.fromkeys(i for i in map(self.backend.token_to_id, named) if i is not None))
        self.chat_template = _chat_template(folder, settings)
        self.clean_up_tokenization_spaces = bool(settings.get("clean_up_tokenization_spaces", False))
        if type(self.backend.model).__name__ == "BPE":  # transformers skips the clean-up for BPE, as it breaks text
            self.clean_up_tokenization_spaces = False

    def __len__(self) -> int:
        """Vocabulary size, added tokens included."""
        return int(self.backend.get_vocab_size(with_added_tokens=True))

    def __call__(self, texts: str | list[str], add_special_tokens: bool = True) -> dict[str, Any]:
        """Token ids of a text, or of each text, as ``{"input_ids": ...}``."""
        if isinstance(texts, str):
            return {"input_ids": self.encode(texts, add_special_tokens=add_special_tokens)}
        encoded = self.backend.encode_batch(texts, add_special_tokens=add_special_tokens)
        return {"input_ids": [list(e.ids) for e in encoded]}

    @property
    def eos_token(self) -> str | None:
        """The end-of-sequence token's text."""
        return self.tokens["eos_token"]

    @property
    def eos_token_id(self) -> int | None:
        """The end-of-sequence token's id."""
        return self._id("eos_token")

    @property
    def pad_token_id(self) -> int | None:
        """The padding token's id (the end token where none is named)."""
        return self._id("pad_token")

    def _id(self, name: str) -> int | None:
        token = self.tokens[name]
        return None if token is None else self.backend.token_to_id(token)

    def encode(self, text: str, add_special_tokens: bool = True) -> list[int]:
        """Token ids of one text."""
        return list(self.backend.encode(text, add_special_tokens=add_special_tokens).ids)

    def decode(self, ids: list[int], skip_special_tokens: bool = False) -> str:
        """Text of token ids, cleaned up as transformers does where the config asks."""
        text: str = self.backend.decode(ids, skip_special_tokens=skip_special_tokens)
        if self.clean_up_tokenization_spaces:
            for before, after in CLEANUP:
                text = text.replace(before, after)
        return text

    def apply_chat_template(self, messages: list[dict[str, str]], tokenize: bool = False,
                            add_generation_prompt: bool = False) -> str | list[int]:
        """The chat text, rendered as transformers renders it (its token ids with ``tokenize``)."""
        if not self.chat_template:
            raise ModelLoadError(f"the tokenizer in {self.folder} has no chat template")
        variables = {name: token for name, token in self.tokens.items() if token is not None}
        text = str(_compiled(self.chat_template).render(
            messages=messages, add_generation_prompt=add_generation_prompt, tools=None, documents=None, **variables))
        return self.encode(text, add_special_tokens=False) if tokenize else text


_TEMPLATES: dict[str, Any] = {}


def _compiled(source: str) -> Any:
    """A chat template compiled once, in the environment transformers renders chat templates in."""
    if source not in _TEMPLATES:
        from jinja2.ext import loopcontrols
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        def raise_exception(message: str) -> None:
            from jinja2.exceptions import TemplateError

            raise TemplateError(message)

        def tojson(value: Any, ensure_ascii: bool = False, indent: int | None = None,
                   separators: Any = None, sort_keys: bool = False) -> str:
            return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators,
                              sort_keys=sort_keys)

        environment = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
        environment.filters["tojson"] = tojson
        environment.globals["raise_exception"] = raise_exception
        environment.globals["strftime_now"] = lambda fmt: datetime.now().strftime(fmt)
        _TEMPLATES[source] = environment.from_string(source)
    return _TEMPLATES[source]


def _read_json(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _content(token: Any) -> str | None:
    """A special token's text, written as a string or as an added-token dict."""
    if isinstance(token, dict):
        token = token.get("content")
    return token if isinstance(token, str) else None


def _chat_template(folder: Path, settings: dict[str, Any]) -> str | None:
    """The folder's chat template: ``chat_template.jinja`` (transformers 5) or the config's entry (a string,
    or named templates of which "default" is used)."""
    path = folder / "chat_template.jinja"
    if path.exists():
        return path.read_text(encoding="utf-8")
    template = settings.get("chat_template")
    if isinstance(template, list):
        named = {entry.get("name"): entry.get("template") for entry in template if isinstance(entry, dict)}
        template = named.get("default")
    return template if isinstance(template, str) else None
