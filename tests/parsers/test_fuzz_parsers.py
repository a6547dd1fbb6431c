"""Fuzzing every parser and the table validator: random and mutated text (captured model outputs
spliced with hostile tokens) and frames of mixed cells never raise outside LLMSynthError."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings

from tests.fuzzing import QUICK, parse_text, parser_texts, regexes, tables, validate_random_table


@pytest.mark.parametrize("parser", ["json", "kv", "table"])
def test_parser_never_escapes_the_error_tree(parser: str) -> None:
    target = parse_text(parser)

    @settings(QUICK)
    @given(text=parser_texts)
    def run(text: str) -> None:
        target(text)

    run()


@settings(QUICK)
@given(text=parser_texts, regex=regexes)
def test_regex_parser_never_escapes_the_error_tree(text: str, regex: str) -> None:
    parse_text("regex")(text, regex)


@settings(QUICK)
@given(case=tables())
def test_validator_never_escapes_the_error_tree(case: Any) -> None:
    validate_random_table(case)
