"""Fuzzing the spec loader and the template checks: random and mutated specs and templates end in a
loaded spec or an LLMSynthError, never another exception (more cases: benchmarks/fuzz.py)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings

from tests.fuzzing import (
    QUICK,
    check_template,
    load_spec_mapping,
    load_spec_text,
    random_spec,
    spec_texts,
    template_texts,
)


@settings(QUICK)
@given(text=spec_texts)
def test_spec_text_never_escapes_the_error_tree(text: str) -> None:
    load_spec_text(text)


@settings(QUICK)
@given(data=random_spec)
def test_spec_mapping_never_escapes_the_error_tree(data: dict[str, Any]) -> None:
    load_spec_mapping(data)


@settings(QUICK)
@given(source=template_texts)
def test_template_never_escapes_the_error_tree(source: str) -> None:
    check_template(source)
