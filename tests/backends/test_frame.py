"""The answer frame (fixed JSON text and slots) and the value rules behind rejection sampling."""

from __future__ import annotations

import json

import pytest

from llmsynth.backends.frame import build_frame, frame_supported, slot_kind
from llmsynth.backends.slot_values import (
    cut_at_boundary,
    date_complete,
    date_feasible,
    number_complete,
    number_end,
    number_feasible,
    text_char_ok,
)
from llmsynth.spec.schema import ColumnSchema


def schema(**kw: object) -> ColumnSchema:
    return ColumnSchema(name=str(kw.pop("name", "x")), **kw)  # type: ignore[arg-type]


def test_frame_renders_compact_json_with_values_in_their_slots() -> None:
    frame = build_frame([
        schema(name="job", type="string", max_length=30),
        schema(name="country", type="choice", choices=("USA", 'Côte "d"')),
        schema(name="score", type="integer", minimum=0, maximum=100),
        schema(name="ok", type="boolean"),
    ])
    assert frame.opening == '{"job":"'
    assert [s.closer for s in frame.slots] == ['","country":"', '","score":', ',"ok":', "}"]
    assert [s.kind for s in frame.slots] == ["text", "enum", "number", "enum"]
    assert frame.slots[1].candidates == ["USA", 'Côte \\"d\\"']
    text = frame.render(["Cook", frame.slots[1].candidates[1], "85", "true"])
    assert json.loads(text) == {"job": "Cook", "country": 'Côte "d"', "score": 85, "ok": True}


def test_small_integer_ranges_are_enumerated_and_enumerate_overrides() -> None:
    small = schema(type="integer", minimum=1, maximum=5)
    wide = schema(type="integer", minimum=0, maximum=500)
    assert slot_kind(small) == "enum"
    assert slot_kind(wide) == "number"
    assert slot_kind(wide, enumerate_values=True) == "enum"
    assert slot_kind(small, enumerate_values=False) == "number"
    frame = build_frame([small])
    assert frame.slots[0].candidates == ["1", "2", "3", "4", "5"]


def test_nullable_enum_gets_a_null_candidate_and_quotes_move_into_the_value() -> None:
    frame = build_frame([schema(name="c", type="choice", choices=("a", "b"), nullable=True)])
    assert frame.opening == '{"c":'
    assert frame.slots[0].candidates == ['"a"', '"b"', "null"]
    assert json.loads(frame.render(["null"])) == {"c": None}


def test_declared_weights_align_with_candidates() -> None:
    frame = build_frame([schema(name="c", type="choice", choices=("a", "b", "c"))], weights={"c": {"c": 0.2, "a": 0.8}})
    assert frame.slots[0].weights == [0.8, 0.0, 0.2]


def test_frame_declines_fields_it_cannot_write() -> None:
    assert frame_supported([schema(type="string"), schema(type="date")])
    assert not frame_supported([schema(type="datetime")])
    assert not frame_supported([schema(type="string", nullable=True)])


@pytest.mark.parametrize(
    ("text", "bounds", "feasible"),
    [
        ("", (18, 75), True),
        ("1", (18, 75), True),   # 18, 19, 100+ start with 1
        ("9", (18, 75), False),  # 9 and 90+ are outside
        ("8", (18, 75), False),
        ("7", (18, 75), True),
        ("76", (18, 75), False),
        ("-", (0, 100), False),
        ("-", (-5, 5), True),
        ("0", (0, 100), True),
        ("05", (0, 100), False),  # no leading zeros in JSON
        ("1.", (0, 100), False),  # an integer has no decimals
    ],
)
def test_integer_prefix_feasibility(text: str, bounds: tuple[int, int], feasible: bool) -> None:
    assert number_feasible(text, schema(type="integer", minimum=bounds[0], maximum=bounds[1])) is feasible


def test_number_prefix_and_completion() -> None:
    score = schema(type="number", minimum=0, maximum=100)
    assert number_feasible("99.", score)
    assert number_feasible("100.", score)  # 100.0
    assert not number_feasible("100.5", score)
    assert number_complete("44.5", score)
    assert not number_complete("100.5", score)
    assert not number_complete("4e1", score)
    assert number_end('85,"x"', integer=True) == 2
    assert number_end("85", integer=True) is None
    assert number_end("8.5}", integer=True) == 1


def test_dates_are_checked_by_shape_then_calendar() -> None:
    assert date_feasible("2024-0")
    assert not date_feasible("2024/")
    assert date_complete("2024-02-29")
    assert not date_complete("2023-02-29")


def test_text_characters_exclude_escapes_controls_and_broken_bytes() -> None:
    assert text_char_ok("Software Engineer, NYC")
    assert not text_char_ok("a\\b")
    assert not text_char_ok("a\nb")
    assert not text_char_ok("a\ufffd")


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Pretends to be in the fashion industry but is in business to", 40, "Pretends to be in the fashion industry"),
        ("Loyal customer. Buys shoes every month and", 30, "Loyal customer. Buys shoes"),
        ("Loyal customer. Buys shoes every month", 20, "Loyal customer."),
        ("Mentor, coach and", 10, "Mentor"),
        ("Supercalifragilistic", 8, "Supercal"),
        ("short", 10, "short"),
        ("Two words", 9, "Two words"),
        ("Two words and", 9, "Two words"),
    ],
)
def test_texts_past_their_limit_end_at_a_boundary(text: str, limit: int, expected: str) -> None:
    cut = cut_at_boundary(text, limit)
    assert cut == expected
    assert len(cut) <= limit
    assert not cut.endswith((",", " ", ";", ":"))


def test_one_long_word_is_cut_at_the_limit_without_a_dangling_mark() -> None:
    assert cut_at_boundary("E2M1MG12289-X7", 12) == "E2M1MG12289"
    assert cut_at_boundary("Supercalifragilistic", 12) == "Supercalifra"
