"""Backends turn prompts into text; see ``base.Backend`` for the contract and ``registry`` for names."""

from llmsynth.backends.base import Backend, Usage
from llmsynth.backends.fake import FakeBackend
from llmsynth.backends.registry import BACKENDS, create_backend

__all__ = ["BACKENDS", "Backend", "FakeBackend", "Usage", "create_backend"]
