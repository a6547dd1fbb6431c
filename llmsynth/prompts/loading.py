"""Template text for a group's prompt; the lookup itself lives in ``llmsynth.spec.templates`` so the
planner can read a template's variables before anything renders."""

from __future__ import annotations

from llmsynth.spec import DatasetSpec, LLMGroup
from llmsynth.spec.templates import bundled_names, bundled_template, template_source

__all__ = ["bundled_names", "bundled_template", "group_template"]


def group_template(group: LLMGroup, dataset: DatasetSpec) -> tuple[str, str]:
    """(template text, where it came from) for a group's user prompt."""
    return template_source(group, dataset.base_dir)
