"""Write a spec as plain, commented YAML (ruamel.yaml) that ``load_spec`` reads back to an equal spec.

Defaults are left out, short entries and number lists are written on one line, and the spec's
``notes`` (path -> text) become comments: before a list item, at the end of a mapping entry's line,
and at the top of the file for the path "".
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llmsynth.spec.dataset import DatasetSpec

FLOW_WIDTH = 110  # a mapping of plain values shorter than this is written on one line
_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})T00:00:00$")


def spec_yaml(spec: DatasetSpec) -> str:
    """The spec as YAML, defaults left out (what ``llmsynth fit`` writes and ``load_spec`` reads back)."""
    from ruamel.yaml import YAML

    data = _plain(spec.model_dump(mode="python", exclude_defaults=True, warnings=False))
    _drop_injected_names(data)
    root = _commented(data, "", spec.notes)
    if spec.notes.get(""):
        root.yaml_set_start_comment(spec.notes[""])
    yaml = YAML()
    yaml.width = 4096  # long flow lists stay on one line rather than wrapping mid-list
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(root, out)
    return out.getvalue()


def _plain(value: Any) -> Any:
    """YAML-friendly values: ISO text for dates (midnight dropped), lists for tuples, number keys as numbers;
    ``kind`` and ``name`` first in every entry."""
    if isinstance(value, dict):
        first = [k for k in ("kind", "name") if k in value]
        return {_key(k): _plain(value[k]) for k in [*first, *(k for k in value if k not in first)]}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        text = value.isoformat()
        match = _MIDNIGHT.match(text)
        return match.group(1) if match else text
    return value


def _key(key: Any) -> Any:
    if isinstance(key, float) and key.is_integer():
        return int(key)
    return key


def _drop_injected_names(data: dict[str, Any]) -> None:
    """Copula marginals and one-column conditional cases get their name from their position on loading."""
    for column in data.get("columns", []):
        _drop_in(column)


def _drop_in(entry: Any) -> None:
    if not isinstance(entry, dict):
        return
    if entry.get("kind") == "copula":
        for marginal in entry.get("columns", {}).values():
            if isinstance(marginal, dict):
                marginal.pop("name", None)
    if entry.get("kind") == "conditional":
        single = entry["columns"][0] if len(entry.get("columns", [])) == 1 else None
        for case in [*entry.get("cases", {}).values(), entry.get("default")]:
            if isinstance(case, dict) and single is not None and case.get("name") == single:
                case.pop("name")
            _drop_in(case)


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _flat(value: Any) -> bool:
    """A scalar or a list of scalars: what may sit inside a one-line mapping."""
    return _scalar(value) or (isinstance(value, list) and all(_scalar(v) for v in value))


def _commented(value: Any, path: str, notes: dict[str, str]) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dict):
        node = CommentedMap()
        for key, item in value.items():
            node[key] = _commented(item, f"{path}/{key}" if path else str(key), notes)
        if value and all(_flat(v) for v in value.values()) and len(repr(value)) < FLOW_WIDTH:
            node.fa.set_flow_style()
        elif value and all(_scalar(v) for v in value.values()) and all(_scalar(k) for k in value):
            node.fa.set_flow_style()  # a long table of weights still reads best as one mapping line
        for key in value:
            note = notes.get(f"{path}/{key}" if path else str(key))
            if note and not node.fa.flow_style():
                node.yaml_add_eol_comment(_one_line(note), key)
        return node
    if isinstance(value, list):
        seq = CommentedSeq(_commented(v, f"{path}/{i}", notes) for i, v in enumerate(value))
        if all(_scalar(v) for v in value):
            seq.fa.set_flow_style()
        depth = path.count("/") + 1
        for index in range(len(value)):
            note = notes.get(f"{path}/{index}")
            if note:
                seq.yaml_set_comment_before_after_key(index, before=note, indent=2 * depth)
        return seq
    if isinstance(value, str) and "\n" in value:
        from ruamel.yaml.scalarstring import LiteralScalarString

        return LiteralScalarString(value)  # prompts read as written, not as one quoted line
    return value


def _one_line(text: str) -> str:
    return "# " + " ".join(text.split())
