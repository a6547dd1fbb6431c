"""Advice on specs that are valid but will not give realistic data (warnings, not errors)."""

from __future__ import annotations

import math

from llmsynth.spec.dataset import DatasetSpec
from llmsynth.spec.llm import LLMField

# integer fields with at most this many values are scored whole (see backends/frame.py ENUMERATE_LIMIT)
SCORED_VALUES = 32


def _model_guesses_a_number(field: LLMField) -> bool:
    if field.type == "number":
        return True
    if field.type != "integer" or field.enumerate:
        return False
    if field.min is None or field.max is None:
        return True
    return math.floor(field.max) - math.ceil(field.min) + 1 > SCORED_VALUES


def spec_warnings(spec: DatasetSpec) -> list[str]:
    """One line per LLM number field whose value the model would invent rather than read from the row."""
    warnings = []
    for group in spec.llm_groups():
        for name, field in group.fields.items():
            if not _model_guesses_a_number(field):
                continue
            low = field.min if field.min is not None else 0
            high = field.max if field.max is not None else 100
            warnings.append(
                f"column '{name}': the model writes this number itself, and small models collapse onto a few "
                f"values (the bounds, round numbers). A sampler draws it with the distribution you choose: "
                f"{{name: {name}, kind: uniform, low: {low:g}, high: {high:g}}} as a column, and "
                f"'{{{{ {name} }}}}' in the prompt so the text follows it. Keep it in the llm group only when the "
                f"prompt's variables determine it."
            )
    return warnings
