"""``llmsynth parse`` end to end: real files in, rows and a rejects file out, clear errors for bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from llmsynth.cli.parse_cmd import parse_command

SPEC = """
name: people
rows: 10
columns:
  - {name: id, kind: normal, mean: 0, sd: 1}
  - kind: llm
    name: person
    prompt: "Row {{ id }}: write a person."
    decoding: free
    parser: kv
    fields:
      job: {type: string, max_length: 30, unique: true}
      age: {type: integer, min: 18, max: 70}
      country: {type: choice, choices: [USA, France, Japan]}
"""

app = typer.Typer()
app.command("parse")(parse_command)
app.command("noop")(lambda: None)  # two commands, so "parse" is a subcommand as in the real CLI
runner = CliRunner()


@pytest.fixture
def spec_path(tmp_path: Path) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC)
    return path


def test_group_parser_from_spec_writes_rows_and_rejects(
    tmp_path: Path, spec_path: Path, fixture_text: Callable[[str], str]
) -> None:
    source = tmp_path / "out.txt"
    source.write_text(
        fixture_text("model_kv_rows_0.txt") + "\n\nJob: Nurse\nAge: 44\nCountry: japan\n\nJob: X\nAge: 9"
    )
    target = tmp_path / "rows.csv"
    result = runner.invoke(
        app, ["parse", str(source), "--spec", str(spec_path), "--group", "person", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(target)
    assert rows.to_dict("records") == [
        {"job": "Nurse", "age": 31, "country": "France"},
        {"job": "Teacher", "age": 45, "country": "USA"},
    ]
    rejects = [json.loads(line) for line in (tmp_path / "rows.rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r["reason"]) for r in rejects] == [
        (13, "age: below minimum 18; country: missing"),
        (None, "job: duplicate"),
    ]
    assert rejects[1]["raw"] == '{"job": "Nurse", "age": 44, "country": "Japan"}'
    assert "2 rows" in result.output
    assert "2 rejects" in result.output


def test_json_lines_to_jsonl_and_parquet(tmp_path: Path, spec_path: Path) -> None:
    source = tmp_path / "rows.jsonl"
    source.write_text('{"job": "A", "age": 20, "country": "USA"}\n{"job": "B", "age": "1,0"}\n')
    for suffix in (".jsonl", ".parquet"):
        target = tmp_path / f"out{suffix}"
        args = ["parse", str(source), "-s", str(spec_path), "-g", "person", "-p", "json", "-o", str(target)]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        frame = pd.read_json(target, lines=True) if suffix == ".jsonl" else pd.read_parquet(target)
        assert frame["job"].tolist() == ["A"]


def test_whole_spec_schema_and_table_with_column_order(tmp_path: Path, spec_path: Path) -> None:
    source = tmp_path / "t.txt"
    source.write_text("Japan | Chef | 30 | 0.5\nUSA | Pilot | 40\n")
    target = tmp_path / "out.csv"
    args = [
        "parse",
        str(source),
        "-s",
        str(spec_path),
        "-p",
        "table",
        "--columns",
        "country,job,age,id",
        "-o",
        str(target),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert pd.read_csv(target).to_dict("records") == [
        {"id": 0.5, "job": "Chef", "age": 30, "country": "Japan"}
    ]
    assert "expected 4 cells, found 3" in result.output


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", [], "looks like binary data (NUL byte at offset 8)"),
        (b"caf\xe9", [], "not UTF-8 text (byte 0xe9 at offset 3)"),
        (b"x", ["-g", "persn"], "no LLM group 'persn' (groups: 'person'); did you mean 'person'?"),
        (b"x", ["-p", "regex", "--regex", "(?P<job>\\w+)"], "no named group for id, age, country"),
        (b"x", ["-p", "yaml"], "unknown parser 'yaml'"),
    ],
    ids=["binary", "latin1", "unknown-group", "regex-groups", "unknown-parser"],
)
def test_bad_input_is_exit_code_2_with_a_clear_message(
    tmp_path: Path, spec_path: Path, content: bytes, args: list[str], message: str
) -> None:
    source = tmp_path / "in.txt"
    source.write_bytes(content)
    result = runner.invoke(
        app, ["parse", str(source), "-s", str(spec_path), "-o", str(tmp_path / "o.csv"), *args]
    )
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_missing_input_file(tmp_path: Path, spec_path: Path) -> None:
    result = runner.invoke(
        app, ["parse", str(tmp_path / "nope.txt"), "-s", str(spec_path), "-o", str(tmp_path / "o.csv")]
    )
    assert result.exit_code == 2
    assert "cannot read" in result.output


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
@pytest.mark.parametrize(
    ("parser", "text", "line", "reason"),
    [
        ("json", '{"job": "Chef", "age": 30, "country": "USA"}\n'
                 '{"job": "a\\ud800b", "age": 31, "country": "USA"}\n'
                 '{"job": "Nurse", "age": 32, "country": "Japan"}\n', 2,
         "job: not valid Unicode (lone surrogate U+D800)"),
        ("table", "job,age,country\nChef,30,USA\nfoo\r bar,31,USA\nNurse,32,Japan\n", 3,
         "malformed CSV line (a bare carriage return inside an unquoted cell)"),
    ],
    ids=["lone-surrogate", "bare-carriage-return"],
)
def test_a_bad_row_is_a_reject_and_parse_carries_on(
    tmp_path: Path, spec_path: Path, parser: str, text: str, line: int, reason: str, suffix: str
) -> None:
    source = tmp_path / "in.txt"
    source.write_text(text, encoding="utf-8", newline="")
    target = tmp_path / f"rows{suffix}"
    args = ["parse", str(source), "--spec", str(spec_path), "--group", "person", "-p", parser, "-o", str(target)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    from llmsynth.io import read_table

    assert read_table(target)["job"].tolist() == ["Chef", "Nurse"]
    rejects = [json.loads(line) for line in (tmp_path / "rows.rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r["reason"]) for r in rejects] == [(line, reason)]
    assert rejects[0]["raw"]  # the raw text is kept (a lone surrogate as its JSON escape)


def test_a_carriage_return_inside_a_quoted_cell_becomes_a_line_break(tmp_path: Path, spec_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text('job,age,country\n"Chef\rde partie",30,USA\n', encoding="utf-8", newline="")
    target = tmp_path / "rows.csv"
    result = runner.invoke(app, ["parse", str(source), "-s", str(spec_path), "-g", "person", "-p", "table",
                                 "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(target)["job"].tolist() == ["Chef\nde partie"]  # written quoted: readers agree
