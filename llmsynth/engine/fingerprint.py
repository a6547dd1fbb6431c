"""What decides a run's data, as a flat dict of readable keys, so a resume can refuse a changed run
and say exactly what changed (``seed: 42 -> 7``, ``column 'age' changed``).

Covered: every spec setting except those only evals read, each column's definition, the text of
template files and the bytes of sample files the spec points to, the row count, the output format
and the llmsynth version.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from llmsynth.spec import DatasetSpec, LLMGroup
from llmsynth.spec.templates import template_source

# spec fields that only evals read: changing them cannot change a generated row
EVAL_ONLY = {"description", "thresholds", "reference", "target", "sensitive"}


def run_options(spec: DatasetSpec, rows: int, fmt: str) -> dict[str, Any]:
    """Flat ``{key: value or digest}`` of everything that decides the rows of this run."""
    from llmsynth import __version__

    # the spec's own 'rows' is replaced by the rows this run makes
    dump = spec.model_dump(mode="json", warnings=False, exclude=EVAL_ONLY | {"columns", "rows"})
    options: dict[str, Any] = {"llmsynth": __version__, "rows": rows, "format": fmt}
    options.update(_flatten(dump))
    labels = [column.label for column in spec.columns]
    options["column order"] = _digest(labels)
    for column in spec.columns:
        options[f"column '{column.label}'"] = _digest(column.model_dump(mode="json", warnings=False))
        if isinstance(column, LLMGroup) and column.template is not None:
            options[f"template of '{column.label}'"] = _digest(_template_text(column, spec))
        file = getattr(column, "file", None)
        if isinstance(file, str):
            options[f"file of '{column.label}'"] = _file_digest(spec, file)
    return options


def options_digest(options: dict[str, Any]) -> str:
    """One digest of ``run_options``: stored in the run record, it ties an output to the run that made it."""
    return _digest(options)


def describe_changes(before: dict[str, Any], now: dict[str, Any], limit: int = 6) -> list[str]:
    """Readable differences between two ``run_options`` results."""
    changes = []
    for key in [*before, *(k for k in now if k not in before)]:
        old, new = before.get(key), now.get(key)
        if old == new:
            continue
        if key.startswith(("column '", "template of", "file of")):
            changes.append(f"{key} {'added' if old is None else 'removed' if new is None else 'changed'}")
        elif key == "column order":
            changes.append("column order changed")
        else:
            changes.append(f"{key}: {_show(old)} -> {_show(new)}")
    if len(changes) > limit:
        changes = [*changes[:limit], f"and {len(changes) - limit} more"]
    return changes


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}{key}."))
        return out
    return {prefix.rstrip("."): value if not isinstance(value, list) else _digest(value)}


def _template_text(group: LLMGroup, spec: DatasetSpec) -> str:
    try:
        return template_source(group, spec.base_dir)[0]
    except Exception:  # a missing template fails the run itself, with its own message
        return ""


def _file_digest(spec: DatasetSpec, file: str) -> str:
    try:
        return hashlib.sha256(spec.resolve_path(file).read_bytes()).hexdigest()[:16]
    except OSError:
        return "unreadable"


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _show(value: Any) -> str:
    return "(none)" if value is None else json.dumps(value) if isinstance(value, str) else str(value)
