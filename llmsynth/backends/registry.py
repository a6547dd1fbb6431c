"""Backends by name (``model.backend`` in the spec), looked up in ``llmsynth.registry.BACKENDS``."""

from __future__ import annotations

from typing import Protocol

from llmsynth.backends.base import Backend
from llmsynth.errors import SpecError
from llmsynth.registry import BACKENDS
from llmsynth.spec.model import ModelConfig

__all__ = ["BACKENDS", "BackendClass", "backend_class", "create_backend"]


class BackendClass(Protocol):
    """What a registered backend target is: a class (or factory) built from the spec's model config."""

    def from_config(self, config: ModelConfig) -> Backend:
        """Load the model the config names and wrap it."""
        ...


def backend_class(name: str) -> BackendClass:
    """The class registered as ``name``; unknown names get a 'did you mean'."""
    if name not in BACKENDS:
        raise SpecError(BACKENDS.unknown(name), column="model")
    return BACKENDS.get(name)


def create_backend(config: ModelConfig) -> Backend:
    """Build the backend a model config names (this is where a real model gets loaded)."""
    return backend_class(config.backend).from_config(config)
