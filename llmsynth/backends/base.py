"""What the engine needs from a model: render a chat, then turn prompts into text, optionally under a
row schema. A backend is one file; the engine never imports torch or a backend's library itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from pydantic import BaseModel

Message = dict[str, str]


@dataclass
class Usage:
    """Running token counters; the engine reads the difference around each call."""

    prompt_tokens: int = 0
    generated_tokens: int = 0
    calls: int = 0


@runtime_checkable
class Backend(Protocol):
    """A text generator with capability flags.

    ``supports_grammar``: ``schema`` is enforced while decoding (otherwise only validated after).
    ``supports_batch``: many prompts are decoded together, so callers should pass whole batches.
    """

    name: str
    supports_grammar: bool
    supports_batch: bool
    usage: Usage

    def format_chat(self, messages: list[Message]) -> str:
        """The prompt text for a conversation (the model's chat template where it has one)."""
        ...

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
        """One answer per prompt; ``schema`` None means free decoding."""
        ...


def plain_chat(messages: list[Message]) -> str:
    """A readable transcript for models without a chat template; the answer follows 'assistant:'."""
    lines = [f"{m['role']}: {m['content']}" for m in messages]
    return "\n\n".join([*lines, "assistant:"])
