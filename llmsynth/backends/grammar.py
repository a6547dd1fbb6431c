"""Row schemas -> logits processors that enforce them, compiled once per schema and reused.

xgrammar is compiled here directly rather than through Outlines' xgrammar backend because that
backend cannot fix JSON whitespace (it rejects ``whitespace_pattern``); free whitespace costs tokens
and lets a small model loop. The compiled grammar is wrapped in Outlines' resettable xgrammar
processor, so one processor per schema serves every batch. llguidance and outlines_core go through
Outlines' own backends (measured: neither enforced integer bounds / forbade extra keys as reliably).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from llmsynth.errors import GenerationError, SpecError

ENGINES = ("xgrammar", "llguidance", "outlines_core")
# compact JSON, and no keys beyond the schema's
XGRAMMAR_JSON_OPTIONS: dict[str, Any] = {
    "any_whitespace": False,
    "separators": (",", ":"),
    "strict_mode": True,
}


class GrammarCache:
    """Logits processors keyed by row schema; building one compiles a grammar (the expensive part)."""

    def __init__(self, model: Any, tokenizer: Any, engine: str = "xgrammar") -> None:
        if engine not in ENGINES:
            raise SpecError(f"unknown grammar engine '{engine}'; known: {', '.join(ENGINES)}", column="model")
        self.model = model
        self.tokenizer = tokenizer
        self.engine = engine
        self._compiler: Any = None
        self._outlines_model: Any = None
        self._processors: dict[str, Any] = {}
        self.compiled = 0

    def processor(self, schema: type[BaseModel]) -> Any:
        """A processor for ``schema``, reset for a new generation."""
        spec = schema.model_json_schema(by_alias=True)
        key = json.dumps(spec, sort_keys=True)
        processor = self._processors.get(key)
        if processor is None:
            processor = self._build(spec)
            self._processors[key] = processor
            self.compiled += 1
        processor.reset()
        return processor

    def _build(self, schema: dict[str, Any]) -> Any:
        text = json.dumps(schema)
        try:
            if self.engine == "xgrammar":
                from outlines.backends.xgrammar import XGrammarLogitsProcessor

                compiled = self._xgrammar_compiler().compile_json_schema(text, **XGRAMMAR_JSON_OPTIONS)
                return XGrammarLogitsProcessor(compiled, "torch")
            from outlines.backends import get_json_schema_logits_processor

            whitespace = "" if self.engine == "outlines_core" else None
            return get_json_schema_logits_processor(self.engine, self._outlines(), text, whitespace)
        except (RuntimeError, ValueError) as exc:
            raise GenerationError(
                f"the {self.engine} grammar engine could not compile the row schema: {exc}"
            ) from exc

    def _xgrammar_compiler(self) -> Any:
        if self._compiler is None:
            import xgrammar as xgr

            # the model's vocabulary can be larger than the tokenizer's (padding rows in the embedding)
            vocab = max(int(self.model.config.vocab_size), len(self.tokenizer))
            info = xgr.TokenizerInfo.from_huggingface(self.tokenizer, vocab_size=vocab)
            self._compiler = xgr.GrammarCompiler(info)
        return self._compiler

    def _outlines(self) -> Any:
        if self._outlines_model is None:
            import outlines

            self._outlines_model = outlines.from_transformers(self.model, self.tokenizer)
        return self._outlines_model
