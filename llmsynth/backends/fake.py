"""A shipped test double: scripted answers, or schema-valid JSON drawn from the schema, so the engine's
retry, reject and uniqueness paths can be tested (and specs tried) without loading a model.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import BaseModel

from llmsynth.backends.base import Message, Usage, plain_chat
from llmsynth.spec.model import ModelConfig

Script = Iterable[str] | Callable[[str], str]

# candidates tried, in order, for a string field with a pattern (a fake cannot invert regexes)
_PATTERN_CANDIDATES = ("a", "abc", "A", "ABC", "0", "123", "a1", "x-1", "2024-01-01", "user@example.com")


@dataclass
class Call:
    """One ``generate`` call, recorded for assertions."""

    prompts: list[str]
    schema: type[BaseModel] | None
    max_new_tokens: int
    temperature: float
    top_p: float
    seed: int


@dataclass
class FakeBackend:
    """Answers from ``script`` first (a list consumed in order, or a function of the prompt), then
    schema-valid JSON; free decoding without a script answers ``free_text``."""

    script: Script | None = None
    free_text: str = "{}"
    name: str = "fake"
    supports_grammar: bool = True
    supports_batch: bool = True
    usage: Usage = field(default_factory=Usage)
    calls: list[Call] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._queue: deque[str] | None = None
        self._function: Callable[[str], str] | None = None
        if callable(self.script):
            self._function = self.script
        elif self.script is not None:
            self._queue = deque(self.script)

    @classmethod
    def from_config(cls, config: ModelConfig) -> FakeBackend:
        """Build the backend a spec's model section asks for."""
        return cls()

    def format_chat(self, messages: list[Message]) -> str:
        """The prompt text for chat messages, as this model's chat template writes it."""
        return plain_chat(messages)

    def generate(
        self,
        prompts: list[str],
        *,
        schema: type[BaseModel] | None,
        max_new_tokens: int,
        temperature: float,
        top_p: float,
        seed: int,
    ) -> list[str]:
        """One answer text per prompt (see ``Backend.generate``)."""
        self.calls.append(Call(list(prompts), schema, max_new_tokens, temperature, top_p, seed))
        rng = np.random.default_rng(seed)
        out = [self._answer(prompt, schema, rng) for prompt in prompts]
        self.usage.calls += 1
        self.usage.prompt_tokens += sum(len(p.split()) for p in prompts)
        self.usage.generated_tokens += sum(max(1, len(t) // 4) for t in out)
        return out

    def _answer(self, prompt: str, schema: type[BaseModel] | None, rng: np.random.Generator) -> str:
        if self._function is not None:
            return self._function(prompt)
        if self._queue:
            return self._queue.popleft()
        if schema is None:
            return self.free_text
        properties = schema.model_json_schema(by_alias=True)["properties"]
        return json.dumps({k: _value(v, rng) for k, v in properties.items()}, separators=(",", ":"))


def _value(spec: dict[str, Any], rng: np.random.Generator) -> Any:
    if "anyOf" in spec:
        options = [s for s in spec["anyOf"] if s.get("type") != "null"]
        return _value(options[0], rng)
    if "enum" in spec:
        return spec["enum"][int(rng.integers(len(spec["enum"])))]
    if "const" in spec:
        return spec["const"]
    kind = spec.get("type")
    if kind == "integer":
        low, high = int(spec.get("minimum", 0)), int(spec.get("maximum", 1000))
        return int(rng.integers(low, high + 1))
    if kind == "number":
        lo, hi = float(spec.get("minimum", 0.0)), float(spec.get("maximum", 1000.0))
        return round(float(rng.uniform(lo, hi)), 3) if hi - lo > 0.01 else lo
    if kind == "boolean":
        return bool(rng.integers(2))
    if spec.get("format") == "date":
        return f"2024-{int(rng.integers(1, 13)):02d}-{int(rng.integers(1, 29)):02d}"
    if spec.get("format") == "date-time":
        return f"2024-{int(rng.integers(1, 13)):02d}-{int(rng.integers(1, 29)):02d}T12:00:00"
    return _string(spec, rng)


def _string(spec: dict[str, Any], rng: np.random.Generator) -> str:
    if "pattern" in spec:
        pattern = re.compile(spec["pattern"])
        return next((c for c in _PATTERN_CANDIDATES if pattern.fullmatch(c)), "")
    low, high = int(spec.get("minLength", 1)), int(spec.get("maxLength", 20))
    text = f"text {int(rng.integers(1_000_000))}"
    text = text.ljust(low, "x")
    return text[: max(high, low)]
