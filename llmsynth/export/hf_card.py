"""The dataset card (README.md) of an exported table: Hugging Face front matter, what every column
is and what made it, how the table was generated, the eval headline with its thresholds, how to load
and publish it, and what synthetic data is not good for. Written from the spec, never by hand."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from llmsynth.evals import EvalReport
    from llmsynth.spec import DatasetSpec
    from llmsynth.spec.base import ColumnBase

SIZES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
         (10_000_000, "1M<n<10M"))
DETAIL_CHARS = 90


def size_category(rows: int) -> str:
    """The Hub's size category (``n<1K``, ``1K<n<10K``, ...) for a row count."""
    for limit, label in SIZES:
        if rows < limit:
            return label
    return "10M<n<100M"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _short(text: str) -> str:
    return text if len(text) <= DETAIL_CHARS else text[: DETAIL_CHARS - 1] + "…"


def _sampler_details(column: ColumnBase) -> str:
    # warnings off: per-row parameters ({by: column, map: ...}) are kept as their raw mappings
    values = column.model_dump(exclude={"name", "kind", "columns"}, exclude_defaults=True, mode="json",
                               warnings=False)
    return _short(", ".join(f"{k}={v}" for k, v in values.items() if v not in ({}, [])))


def column_rows(spec: DatasetSpec) -> list[tuple[str, str, str, str]]:
    """(column, type, made by, details) for every output column of the spec."""
    schemas = {s.name: s for s in spec.column_schemas()}
    rows: list[tuple[str, str, str, str]] = []
    for column in spec.columns:
        kind = str(getattr(column, "kind", ""))
        for name in column.output_names():
            schema = schemas[name]
            kind_label = "choice (ClassLabel)" if schema.type == "choice" else schema.type
            if kind == "llm":
                group = getattr(column, "name", None)
                made_by = f"language model ({group})" if group else "language model"
                parts = [schema.description or ""]
                if schema.choices:
                    parts.append(", ".join(schema.choices))
                if schema.max_length and schema.type == "string":
                    parts.append(f"at most {schema.max_length} characters")
                if schema.minimum is not None or schema.maximum is not None:
                    parts.append(f"{schema.minimum:g} to {schema.maximum:g}" if schema.minimum is not None
                                 and schema.maximum is not None else f"min {schema.minimum}, max {schema.maximum}")
                details = _short("; ".join(p for p in parts if p))
            else:
                made_by = f"sampler `{kind}`" if kind != "expression" else "expression"
                details = (f"`{column.expr}`" if kind == "expression" and hasattr(column, "expr")
                           else _sampler_details(column))
            rows.append((name, kind_label, made_by, details))
    return rows


def _eval_lines(report: EvalReport) -> list[str]:
    from llmsynth.evals.thresholds import split_key  # only when a report is given

    limits = {split_key(k)[0]: f"{split_key(k)[1]} {v:g}" for k, v in report.thresholds.items()}
    lines = ["## Evaluation", "", f"Scored by `llmsynth eval` on the {report.rows} rows of this export "
             "(keys documented in llmsynth's docs/evals.md).", "",
             "| score | value | threshold |", "|---|---|---|"]
    lines += [f"| `{key}` | {value:.3f} | {limits.get(key, '')} |" for key, value in report.headline.items()]
    if report.thresholds:
        failed = report.failed_thresholds()
        lines += ["", "Thresholds not met: " + "; ".join(failed) if failed
                  else f"All {len(report.thresholds)} thresholds of the spec are met."]
    return [*lines, ""]


def dataset_card(spec: DatasetSpec, data: pd.DataFrame, report: EvalReport | None = None) -> str:
    """The README.md of an exported dataset."""
    from llmsynth import __version__
    llm = bool(spec.llm_groups())
    front = ["---", f"pretty_name: {spec.name}", "tags:", "- synthetic", "- tabular", "- llmsynth",
             "size_categories:", f"- {size_category(len(data))}", "---", ""]
    made = "statistical samplers" + (f" and the language model `{spec.model.name}`" if llm else "")
    lines = [f"# {spec.name}", ""]
    if spec.description:
        lines += [spec.description, ""]
    lines += [
        f"**Every row is synthetic.** {len(data)} rows made by llmsynth "
        f"from a declared spec, with {made}; no row describes a real person or event.", "",
        "## Generation", "",
        f"- spec: `{spec.name}`" + (f" (`{spec.source.name}`)" if spec.source is not None else ""),
        f"- rows: {len(data)}, seed: {spec.seed}, llmsynth {__version__}",
    ]
    if llm:
        decoding = ", ".join(sorted({g.decoding for g in spec.llm_groups()}))
        lines.append(f"- model: `{spec.model.name}`, decoding: {decoding}, "
                     f"temperature {spec.generation.temperature:g}, top_p {spec.generation.top_p:g}")
    lines += ["- every row was validated against the spec's row schema before it was written", "",
              "## Columns", "", "| column | type | made by | details |", "|---|---|---|---|"]
    lines += [f"| {' | '.join(_cell(v) for v in row)} |" for row in column_rows(spec)]
    lines.append("")
    if report is not None:
        lines += _eval_lines(report)
    lines += [
        "## Use", "",
        "```python", "from datasets import load_from_disk", "", 'ds = load_from_disk("PATH/TO/THIS/FOLDER")',
        "df = ds.to_pandas()", "```", "",
        "Choice columns are `ClassLabel` features: `ds.features[name].int2str(ds[0][name])` gives the label.",
        "To publish (needs a Hugging Face account and network): `ds.push_to_hub(\"user/name\")`, then",
        "`huggingface_hub.DatasetCard.load(\"PATH/TO/THIS/FOLDER/README.md\").push_to_hub(\"user/name\")`.", "",
        "## Limitations", "",
        "- The table follows what its spec declares; relations the spec does not state are not there.",
    ]
    if llm:
        lines.append("- Text written by a small language model can repeat itself or state things that are "
                     "not true; check the diversity figures before training on it.")
    lines += ["- Synthetic data is for testing, teaching and prototyping: do not use it to make decisions "
              "about real people.", ""]
    return "\n".join(front + lines)
