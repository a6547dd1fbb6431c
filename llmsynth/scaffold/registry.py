"""Spec ``kind`` -> sampler class, through ``llmsynth.registry.SAMPLERS`` (lazy, so naming one imports nothing)."""

from __future__ import annotations

from typing import Any

from llmsynth.registry import SAMPLERS
from llmsynth.scaffold.base import Sampler
from llmsynth.spec.base import ColumnBase
from llmsynth.spec.dataset import DatasetSpec

__all__ = ["SAMPLERS", "build_sampler", "sampler_class"]


def sampler_class(kind: str) -> type[Sampler[Any]]:
    """The sampler registered for ``kind``; an unknown kind is a SpecError with 'did you mean'."""
    return SAMPLERS.get(kind)


def build_sampler(spec: ColumnBase, dataset: DatasetSpec | None) -> Sampler[Any]:
    """The fitted sampler for one spec entry."""
    return sampler_class(spec.kind)(spec, dataset).fit()
