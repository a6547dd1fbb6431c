"""JSON rows from model text: fences, prose around, slips, truncation, strings with braces, JSONL."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from llmsynth.errors import ParseError
from llmsynth.parsers import parse_row, parse_rows
from llmsynth.spec.schema import ColumnSchema

NURSE = {"job": "Nurse", "age": 31, "country": "France"}


@pytest.mark.parametrize("name", ["model_json_row_0.txt", "model_json_row_1.txt", "model_json_row_2.txt"])
def test_real_model_outputs_with_fence_and_trailing_prose(
    name: str, people: list[ColumnSchema], fixture_text: Callable[[str], str]
) -> None:
    assert parse_row(fixture_text(name), people) == NURSE


def test_real_model_python_list_with_single_quotes(
    people: list[ColumnSchema], fixture_text: Callable[[str], str]
) -> None:
    result = parse_rows(fixture_text("model_json_rows_1.txt"), people, parser="json")
    assert [r["job"] for r in result.rows] == [
        "Human Health & Development",
        "Mentoring",
        "Ecology and Environmental Sciences",
    ]
    assert [r["age"] for r in result.rows] == [20, 21, 22]
    assert [r["country"] for r in result.rows] == ["USA", "France", "Japan"]
    assert result.rejects == []  # the code and prose around the list are not JSON rows


def test_braces_and_quotes_inside_strings(people: list[ColumnSchema]) -> None:
    text = 'Sure! {"job": "Dev {ops} \\"lead\\" [x]", "age": 40, "country": "USA"} and {"job": "x"}'
    assert parse_row(text, people) == {"job": 'Dev {ops} "lead" [x]', "age": 40, "country": "USA"}


def test_slips_repaired_trailing_comma_single_quotes_unquoted_keys(people: list[ColumnSchema]) -> None:
    assert parse_row("{'job': 'Chef', 'age': '1,0', country: 'japan',}", [people[0], people[2]]) == {
        "job": "Chef",
        "country": "Japan",
    }
    assert parse_row('{"job": "Chef", "age": 44, "country": "USA",}', people)["age"] == 44


def test_truncated_final_object_is_dropped_not_completed(people: list[ColumnSchema]) -> None:
    text = (
        '```json\n[{"job": "A", "age": 20, "country": "USA"},\n'
        ' {"job": "B", "age": 30, "country": "Japan"},\n {"job": "C", "age": 4'
    )
    result = parse_rows(text, people, parser="json")
    assert [r["job"] for r in result.rows] == ["A", "B"]
    assert len(result.rejects) == 1
    assert result.rejects[0].reason == "truncated JSON (the output ended inside it; dropped)"
    assert result.rejects[0].raw == '{"job": "C", "age": 4'
    assert result.rejects[0].line == 3
    with pytest.raises(ParseError, match="truncated JSON"):
        parse_row('{"job": "C", "age": 4', people)


def test_jsonl_one_bad_line_costs_one_row(people: list[ColumnSchema]) -> None:
    text = "\n".join(
        [
            '{"job": "A", "age": 20, "country": "USA"}',
            '{"job": "B", "age": 30, "country": ',
            "not json at all",
            '{"job": "C", "age": 99, "country": "Japan"}',
            '{"job": "D", "age": 50, "country": "japan"}',
        ]
    )
    result = parse_rows(text, people, parser="json")
    assert [r["job"] for r in result.rows] == ["A", "D"]
    assert [(r.line, r.reason) for r in result.rejects] == [
        (2, "truncated JSON (the output ended inside it; dropped)"),
        (3, "no JSON object found"),
        (4, "age: above maximum 70"),
    ]
    assert all(r.parser == "json" for r in result.rejects)


def test_unicode_cjk_and_case_insensitive_keys(people: list[ColumnSchema]) -> None:
    text = '結果: {"Job": "看護師 👩‍⚕️", "AGE": "1,0", " Country ": "japan"}'
    with pytest.raises(ParseError, match="age: not a number"):
        parse_row(text, people)
    assert parse_row(text.replace('"1,0"', "33"), people) == {
        "job": "看護師 👩‍⚕️",
        "age": 33,
        "country": "Japan",
    }


def test_two_keys_for_one_column_is_a_reject(people: list[ColumnSchema]) -> None:
    with pytest.raises(ParseError, match="job: given twice"):
        parse_row('{"job": "A", "Job": "B", "age": 20, "country": "USA"}', people)


def test_empty_and_prose_only_outputs(people: list[ColumnSchema], fixture_text: Callable[[str], str]) -> None:
    with pytest.raises(ParseError, match="empty output"):
        parse_row("   \n", people)
    with pytest.raises(ParseError, match="no JSON object found") as info:
        parse_row(fixture_text("model_kv_row_1.txt"), people)
    assert info.value.raw == fixture_text("model_kv_row_1.txt")
    assert info.value.parser == "json"
    assert parse_rows("", people, parser="json").rows == []


def test_array_of_non_objects_rejected(people: list[ColumnSchema]) -> None:
    result = parse_rows('[{"job": "A", "age": 20, "country": "USA"}, 5, "x"]', people, parser="json")
    assert len(result.rows) == 1
    assert result.reasons_count() == {"JSON value is not an object": 2}
