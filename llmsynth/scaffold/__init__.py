"""Scaffold samplers: numpy/scipy/statsmodels/sklearn/networkx generators for the numeric and
structural columns, looked up by spec ``kind`` in ``registry.SAMPLERS``."""

from llmsynth.scaffold.base import Sampler
from llmsynth.scaffold.registry import SAMPLERS, build_sampler, sampler_class

__all__ = ["SAMPLERS", "Sampler", "build_sampler", "sampler_class"]
