"""What ``generate`` does before it needs the model, done for a few rows: build the samplers (data
files read, models fitted), draw scaffold rows, build each LLM group's row model and render its
prompts for those rows. ``llmsynth validate`` runs it, so a template that fails on real values, a
few-shot example that breaks the schema or an unreadable data file is reported before any model loads.

LLM fields have no values without the model; later prompts see placeholders of the right type (the
group's first few-shot example where there is one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from llmsynth.errors import LLMSynthError, SpecError
from llmsynth.spec import DatasetSpec, LLMGroup, order_columns
from llmsynth.spec.kinds.data_rows import DataSpec
from llmsynth.spec.schema import ColumnSchema

# whole-table samplers (time series, graphs) draw every row at once; past this the dry run skips them
MAX_WHOLE_TABLE_ROWS = 100_000


@dataclass
class DryRun:
    """What the dry run did: rows drawn, prompts rendered per group, and the longest prompt."""

    rows: int
    prompts: dict[str, int] = field(default_factory=dict)
    longest_prompt: int = 0
    skipped: str | None = None


def dry_run(spec: DatasetSpec, rows: int = 3) -> DryRun:
    """Draw ``rows`` rows and render every LLM group's prompts for them; SpecError names the column."""
    from llmsynth.engine.rowschema import build_row_model
    from llmsynth.prompts.builder import PromptBuilder
    from llmsynth.scaffold.registry import build_sampler
    from llmsynth.seeding import stream

    frame = pd.DataFrame(index=pd.RangeIndex(rows))
    result = DryRun(rows=rows)
    for column in order_columns(spec):
        if isinstance(column, LLMGroup):
            model = build_row_model(column.column_schemas(), "DryRun")
            if column.decoding == "free" and column.parser == "regex":
                _check_regex(column)
            builder = PromptBuilder(column, spec, model)
            records = frame.to_dict("records")
            for index, record in enumerate(records):
                text = "".join(m["content"] for m in builder.messages(record, index))
                result.longest_prompt = max(result.longest_prompt, len(text))
            result.prompts[column.label] = len(records)
            for name, value in _placeholders(column).items():
                frame[name] = [value] * rows
            continue
        if isinstance(column, DataSpec) and column.file is None and column.frame is None:
            result.skipped = f"'{column.label}' takes its rows from Python (generate(spec, data=df))"
            return result
        try:
            sampler = build_sampler(column, spec)
            whole = not sampler.per_chunk
            total = (sampler.fixed_rows() or spec.rows) if whole else rows
            if total > MAX_WHOLE_TABLE_ROWS:
                result.skipped = f"'{column.label}' draws {total:,} rows at once"
                return result
            context = pd.DataFrame(index=pd.RangeIndex(total)) if whole else frame
            values = sampler.sample(total, stream(spec.seed, sampler.stream_key, -1 if whole else 0), context)
        except LLMSynthError:
            raise
        except (ValueError, KeyError, OSError, TypeError, ArithmeticError) as exc:
            raise SpecError(f"dry run: {type(exc).__name__}: {exc}", column=column.label) from exc
        for name in column.output_names():
            frame[name] = pd.Series(values[name].to_numpy()[:rows])  # a shorter table leaves NaN
    return result


def _check_regex(group: LLMGroup) -> None:
    """The free-decoding pattern compiles under RE2 and names every required field."""
    from llmsynth.parsers.keys import KeyMap
    from llmsynth.parsers.regex_parser import compile_row_pattern

    schemas = group.column_schemas()
    keys = KeyMap([s.name for s in schemas], required=[s.name for s in schemas if not s.nullable])
    try:
        compile_row_pattern(group.regex, keys)
    except SpecError as exc:
        raise SpecError(f"field 'regex': {exc}", column=group.label) from None


def _placeholders(group: LLMGroup) -> dict[str, Any]:
    """A value of the right type for each field: the first few-shot example's, else one by schema."""
    example = group.examples[0] if group.examples else {}
    return {s.name: example.get(s.name, _placeholder(s)) for s in group.column_schemas()}


def _placeholder(schema: ColumnSchema) -> Any:
    if schema.type == "choice" and schema.choices:
        return schema.choices[0]
    if schema.type in ("integer", "number"):
        value = schema.minimum if schema.minimum is not None else (schema.maximum if schema.maximum is not None
                                                                  else 0)
        return int(value) if schema.type == "integer" else float(value)
    if schema.type == "boolean":
        return True
    if schema.type == "date":
        return "2024-01-01"
    if schema.type == "datetime":
        return "2024-01-01T00:00:00"
    return "text"
