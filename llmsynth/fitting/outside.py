"""Columns a copula does not model: identifiers (fresh ids in the real format, never the real values)
and free text (an LLM group whose prompt reads the row's other columns; real text only as opt-in
few-shot examples, since those are copied into the spec)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from llmsynth.prompts.builder import plain_value

_PREFIXED = re.compile(r"^(\D*?)(\d+)$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
MAX_PROMPT_COLUMNS = 6


def identifier_entry(series: pd.Series) -> tuple[dict[str, Any], str]:
    """An ``id`` entry continuing after the real ids (same prefix and width), or uuids."""
    values = series.dropna()
    if pd.api.types.is_numeric_dtype(values):
        start = int(values.max()) + 1
        return {"kind": "id", "start": start}, f"identifier: new numbers from {start} (real ids are not reused)"
    text = values.astype(str)
    parts = text.str.extract(_PREFIXED)
    if parts[1].notna().all() and parts[0].nunique() == 1:
        digits = parts[1].astype(str)
        width = int(digits.str.len().iloc[0]) if digits.str.len().nunique() == 1 else None
        start = int(digits.astype(int).max()) + 1
        entry: dict[str, Any] = {"kind": "id", "prefix": str(parts[0].iloc[0]), "start": start}
        if width is not None and len(str(start)) <= width:
            entry["width"] = width
        return entry, f"identifier like {text.iloc[0]!r}: new ids from {start} (real ids are not reused)"
    if text.str.match(_UUID).all():
        return {"kind": "id", "style": "uuid"}, "identifier: random UUIDs"
    return {"kind": "id", "style": "uuid"}, "identifier in a free format: random UUIDs instead"


def text_group(
    frame: pd.DataFrame, texts: Sequence[str], context: Sequence[str], examples: int, rng: np.random.Generator
) -> tuple[dict[str, Any], str]:
    """One LLM group writing every free-text column, prompted with up to six other columns of the row."""
    shown = list(context)[:MAX_PROMPT_COLUMNS]
    fields: dict[str, Any] = {}
    for name in texts:
        values = frame[name].dropna().astype(str)
        lengths = values.str.len()
        words = float(values.str.split().str.len().median()) if len(values) else 0.0
        longest = int(lengths.max()) if examples and len(values) else 0
        limit = max(20, int(math.ceil(float(lengths.quantile(0.95)) / 10) * 10) if len(values) else 40, longest)
        fields[name] = {
            "type": "string",
            "max_length": limit,
            "description": f"free text like the real '{name}' column (about {max(1, round(words))} words)",
        }
    known = "\n".join(f"- {c}: {{{{ {c} }}}}" for c in shown)
    prompt = "One record of a table" + (f", where\n{known}\n" if shown else ".\n")
    prompt += f"Write its {', '.join(texts)} so that {'they fit' if len(texts) > 1 else 'it fits'} these values."
    entry: dict[str, Any] = {"kind": "llm", "name": "text", "prompt": prompt, "fields": fields}
    note = f"free text written by the language model from {', '.join(shown) or 'nothing else'}"
    if examples:
        entry["examples"] = _examples(frame, [*shown, *texts], texts, examples, rng)
        note += f"; {len(entry['examples'])} real rows as few-shot examples (they are copied here verbatim)"
    return entry, note


def _examples(
    frame: pd.DataFrame, columns: list[str], texts: Sequence[str], count: int, rng: np.random.Generator
) -> list[dict[str, Any]]:
    complete = frame[columns].dropna()
    if complete.empty:
        return []
    rows = rng.choice(len(complete), size=min(count, len(complete)), replace=False)
    out = []
    for position in sorted(rows.tolist()):
        record = complete.iloc[position]
        example = {c: plain_value(record[c]) for c in columns}
        for name in texts:
            example[name] = str(example[name])
        out.append(example)
    return out
