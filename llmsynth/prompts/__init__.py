"""Prompt rendering: a sandboxed Jinja environment, template loading and per-row chat building."""

from llmsynth.prompts.builder import PromptBuilder, describe
from llmsynth.prompts.environment import compile_template, render
from llmsynth.spec.templates import bundled_names

__all__ = ["PromptBuilder", "bundled_names", "compile_template", "describe", "render"]
