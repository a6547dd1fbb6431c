"""``llmsynth fit``: learn an editable, commented spec from a real table (``llmsynth.api.fit``)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from llmsynth.cli.errors import handle_errors
from llmsynth.errors import InputDataError


class LabelModel(StrEnum):
    """The ``--label-model`` choices."""

    per_class = "per-class"
    joint = "joint"


class Marginals(StrEnum):
    """The ``--marginals`` choices."""

    auto = "auto"
    family = "family"
    quantiles = "quantiles"


class Rare(StrEnum):
    """The ``--rare`` choices."""

    group = "group"
    keep = "keep"
    drop = "drop"


def parse_kinds(pairs: list[str]) -> dict[str, str]:
    """``["age=integer", "notes=text"]`` -> {"age": "integer", "notes": "text"}."""
    kinds = {}
    for pair in pairs:
        column, sep, kind = pair.rpartition("=")
        if not sep or not column:
            raise InputDataError(f"--kind '{pair}': write COLUMN=KIND, e.g. --kind zip=categorical")
        kinds[column] = kind
    return kinds


@handle_errors
def fit_command(
    data: Path = typer.Argument(..., help="Real table to learn from (.csv, .parquet or .jsonl).", show_default=False),
    output: Path = typer.Option(..., "--output", "-o", help="Spec file to write (.yaml)."),
    label: str | None = typer.Option(
        None, "--label", "-l", help="Column to keep predictable (a class label): one copula per class."
    ),
    kinds: list[str] | None = typer.Option(
        None, "--kind", "-k", metavar="COLUMN=KIND",
        help="Override an inferred kind, COLUMN=KIND (continuous, integer, categorical, "
        "boolean, datetime, identifier, text, ignore); repeat for several."
    ),
    label_model: LabelModel = typer.Option(
        LabelModel.per_class, "--label-model", help="per-class: a copula per label value; joint: one copula."
    ),
    marginals: Marginals = typer.Option(
        Marginals.auto, "--marginals",
        help="auto: a named family when it passes a KS test, else quantiles; family / quantiles: always.",
    ),
    alpha: float = typer.Option(0.05, "--alpha", help="KS p-value a family must reach (marginals auto)."),
    knots: int = typer.Option(50, "--knots", help="Points of a quantile marginal."),
    min_count: int = typer.Option(5, "--min-count", help="Values seen in fewer rows are rare (see --rare)."),
    rare: Rare = typer.Option(
        Rare.group, "--rare", help="group: into 'other' (numbers: the nearest frequent value); drop; keep."
    ),
    noise: float = typer.Option(0.0, "--noise", help="Gaussian noise on numbers and dates, in column sds."),
    clip: float = typer.Option(0.0, "--clip", help="Share of each numeric tail clipped to its quantile."),
    examples: int = typer.Option(
        0, "--examples", help="Real rows copied into the spec as few-shot examples for text (they leak text)."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the fit and of the spec."),
    name: str | None = typer.Option(None, "--name", help="Dataset name (default: the file name)."),
    rows: int | None = typer.Option(None, "--rows", "-n", help="Rows the spec generates (default: as many)."),
) -> None:
    """Learn a spec from DATA and write it to --output as commented YAML that `llmsynth generate` runs."""
    from llmsynth import api

    spec = api.fit(
        data, output, label=label, kinds=parse_kinds(kinds or []), label_model=label_model.value,
        marginals=marginals.value, alpha=alpha, knots=knots, min_count=min_count, rare=rare.value,
        noise=noise, clip=clip, examples=examples, seed=seed, name=name, rows=rows,
    )
    for index in range(len(spec.columns)):
        note = spec.notes.get(f"columns/{index}")
        if note:
            typer.echo(f"  {note}", err=True)
    typer.echo(f"wrote {output} ({len(spec.column_names)} columns); next: llmsynth generate {output} -o synthetic.csv",
               err=True)
