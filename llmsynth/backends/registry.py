"""Backends by name (``model.backend`` in the spec), with lazy targets so naming one imports nothing."""

from __future__ import annotations

import difflib
import importlib
from typing import Any

from llmsynth.backends.base import Backend
from llmsynth.errors import SpecError
from llmsynth.spec.model import ModelConfig

BACKENDS: dict[str, str] = {
    "transformers": "llmsynth.backends.transformers_backend:TransformersBackend",
    "fake": "llmsynth.backends.fake:FakeBackend",
}


def backend_class(name: str) -> Any:
    """The class registered as ``name``; unknown names get a 'did you mean'."""
    target = BACKENDS.get(name)
    if target is None:
        close = difflib.get_close_matches(name, list(BACKENDS), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        known = ", ".join(sorted(BACKENDS))
        raise SpecError(f"unknown backend '{name}'{hint}; known: {known}", column="model")
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def create_backend(config: ModelConfig) -> Backend:
    """Build the backend a model config names (this is where a real model gets loaded)."""
    backend: Backend = backend_class(config.backend).from_config(config)
    return backend
