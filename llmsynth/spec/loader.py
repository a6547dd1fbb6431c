"""Read a spec from YAML (or a dict) and turn pydantic's errors into one message per problem.

Messages name the file, the column and the field, e.g.
``customers.yaml: column 'age': field 'sd': Input should be greater than 0``.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from llmsynth.errors import SpecError
from llmsynth.registry import KINDS
from llmsynth.spec.dataset import COLUMN_KINDS, DatasetSpec, with_plugin_kinds
from llmsynth.spec.yaml_safe import MAX_SPEC_BYTES, load_yaml


def load_spec(path: str | Path) -> DatasetSpec:
    """Load and validate a YAML spec file."""
    path = Path(path)
    source = str(path)
    try:
        with path.open("rb") as handle:  # bounded read: a spec path may name /dev/zero or a huge file
            raw = handle.read(MAX_SPEC_BYTES + 1)
        text = raw.decode("utf-8")
    except FileNotFoundError as exc:
        raise SpecError("file not found", source=source) from exc
    except IsADirectoryError as exc:
        raise SpecError("is a folder, not a spec file", source=source) from exc
    except OSError as exc:
        raise SpecError(f"cannot read file: {exc.strerror or exc}", source=source) from exc
    except UnicodeDecodeError as exc:
        raise SpecError(f"not UTF-8 text (byte {raw[exc.start]:#04x} at offset {exc.start})", source=source) from exc
    data = load_yaml(text, source=source)
    return spec_from_dict(data, source=source, path=path)


def spec_from_dict(data: Any, *, source: str = "<spec>", path: Path | None = None) -> DatasetSpec:
    """Validate a plain mapping as a spec (what YAML gives), with the same messages as files.

    ``path`` is the file the mapping came from: relative file names in the spec resolve against it.
    """
    if not isinstance(data, dict):
        raise SpecError(f"the top level must be a mapping, got {type(data).__name__}", source=source)
    try:
        spec = _model_for(data).model_validate(data)
    except ValidationError as exc:
        raise SpecError(format_validation_error(exc, data), source=source) from exc
    except RecursionError:  # pydantic walking a structure nested past Python's stack
        raise SpecError("the spec is nested too deeply", source=source) from None
    if path is not None:
        spec._source = path.resolve()
    # checks that need the whole spec run at load time, before any model loads: number ranges, file
    # references, then names, cycles and templates (read, parsed and checked against the sandbox)
    from llmsynth.spec.limits import check_limits
    from llmsynth.spec.paths import check_references
    from llmsynth.spec.plan import order_columns

    try:
        check_limits(spec)
        check_references(spec)
        order_columns(spec)
    except SpecError as exc:
        raise SpecError(str(exc), source=source) from exc
    return spec


def _model_for(data: dict[str, Any]) -> type[DatasetSpec]:
    """``DatasetSpec``, or its extension when a column names a kind another package registers."""
    columns = data.get("columns")
    named = {c.get("kind") for c in columns if isinstance(c, dict)} if isinstance(columns, list) else set()
    plugins = frozenset(k for k in named if isinstance(k, str) and k not in COLUMN_KINDS and k in KINDS)
    return with_plugin_kinds(plugins) if plugins else DatasetSpec


def _known_kinds() -> list[str]:
    return sorted({*COLUMN_KINDS, *KINDS.names()})


def format_validation_error(exc: ValidationError, data: dict[str, Any]) -> str:
    """One line per error: which column, which field, what is wrong."""
    lines = []
    for error in exc.errors():
        loc = list(error["loc"])
        where = _describe_location(loc, data)
        message = error["msg"]
        if error["type"] == "union_tag_invalid":
            tag = str(error.get("ctx", {}).get("tag", ""))
            close = difflib.get_close_matches(tag, _known_kinds(), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            message = f"unknown column kind '{tag}'{hint}; known kinds: {', '.join(_known_kinds())}"
        elif error["type"] == "union_tag_not_found":
            message = "missing 'kind' (one of: " + ", ".join(_known_kinds()) + ")"
        elif error["type"] == "extra_forbidden":
            message = "unknown field (not allowed here)"
        lines.append(f"{where}: {message}" if where else message)
    return "; ".join(dict.fromkeys(lines))


def _describe_location(loc: list[Any], data: dict[str, Any]) -> str:
    parts: list[str] = []
    if len(loc) >= 2 and loc[0] == "columns" and isinstance(loc[1], int):
        index = loc[1]
        columns = data.get("columns") or []
        entry = columns[index] if isinstance(columns, list) and index < len(columns) else {}
        label = _entry_label(entry) or f"columns[{index}]"
        parts.append(f"column '{label}'")
        rest = loc[2:]
        if rest and isinstance(entry, dict) and rest[0] == entry.get("kind"):
            rest = rest[1:]  # pydantic puts the union tag in the path; users never wrote it
    else:
        rest = loc
    fields = [str(p) for p in rest if not str(p).startswith("function-")]
    if fields:
        parts.append("field '" + ".".join(fields) + "'")
    return ": ".join(parts)


def _entry_label(entry: Any) -> str | None:
    if not isinstance(entry, dict):
        return None
    if isinstance(entry.get("name"), str):
        return str(entry["name"])
    for key in ("fields", "columns"):
        value = entry.get(key)
        if isinstance(value, dict):
            return ", ".join(map(str, value))
        if isinstance(value, list):
            names = [v if isinstance(v, str) else v.get("name") for v in value if isinstance(v, str | dict)]
            return ", ".join(str(n) for n in names if n)
    return None
