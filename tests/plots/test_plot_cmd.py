"""``llmsynth plot`` from the command line: a spec or a data file in, a picture out; bad input exits 2."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from llmsynth.cli.plot_cmd import plot_command

GUIDE = Path(__file__).resolve().parents[2] / "examples" / "guide"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    # registered the way the main app registers it, without depending on the main app's other commands
    cli = typer.Typer()
    cli.command("plot")(plot_command)
    cli.command("noop", hidden=True)(lambda: None)  # two commands keep "plot" as a subcommand name
    return cli


def run(app: typer.Typer, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["plot", *args])
    return result.exit_code, result.output


def test_spec_source_is_generated_then_drawn(app: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "normal.png"
    code, output = run(app, str(GUIDE / "01_normal.yaml"), "-o", str(out), "--rows", "300", "--seed", "3")

    assert code == 0, output
    assert out.read_bytes().startswith(PNG_MAGIC)
    assert "histogram of value (300 rows)" in output


def test_data_file_with_spec(app: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "tree.png"
    data = GUIDE / "data" / "06_tree_reference.csv"
    code, output = run(app, str(data), "--spec", str(GUIDE / "06_tree.yaml"), "-o", str(out))

    assert code == 0, output
    assert "tree of Feature1, Feature2, Label" in output
    assert out.exists()


def test_data_file_with_reference_and_forced_picture(app: typer.Typer, tmp_path: Path) -> None:
    data, reference = tmp_path / "a.csv", tmp_path / "b.csv"
    pd.DataFrame({"v": range(40)}).to_csv(data, index=False)
    pd.DataFrame({"v": range(10, 60)}).to_csv(reference, index=False)
    code, output = run(app, str(data), "-o", str(tmp_path / "v.svg"), "--reference", str(reference))
    assert code == 0, output
    assert "overlay of v" in output

    code, output = run(app, str(data), "-o", str(tmp_path / "t.png"), "--picture", "table")
    assert code == 0, output
    assert "table of v" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{guide}/01_normal.yaml", "-o", "{tmp}/x.jpg"], "cannot write a picture as '.jpg'"),
        (["{guide}/01_normal.yaml", "-o", "{tmp}/x.png", "--picture", "histgram"], "did you mean 'histogram'"),
        (["{guide}/data/06_tree_reference.csv", "-o", "{tmp}/x.png", "--rows", "5"], "--rows: only for a spec"),
        (["{guide}/01_normal.yaml", "-o", "{tmp}/x.png", "--spec", "{guide}/01_normal.yaml"], "already a spec"),
        (["{tmp}/missing.csv", "-o", "{tmp}/x.png"], "file not found"),
        (["{guide}/01_normal.yaml", "-o", "{tmp}/x.png", "--picture", "overlay"], "reference"),
    ],
    ids=["format", "picture-name", "rows-on-data", "spec-twice", "missing-file", "no-reference"],
)
def test_bad_input_exits_2(app: typer.Typer, tmp_path: Path, args: list[str], message: str) -> None:
    filled = [a.format(guide=GUIDE, tmp=tmp_path) for a in args]
    code, output = run(app, *filled)

    assert code == 2
    assert message in output
    assert "Traceback" not in output
    assert not (tmp_path / "x.png").exists()
