"""YAML for untrusted spec files: PyYAML's safe loader, plus the limits it lacks.

- A key given twice in one mapping is an error (PyYAML silently keeps the last one, so a typo'd
  second ``sd:`` would win unseen).
- Aliases may not expand the document past ``MAX_NODES`` nodes ("billion laughs": nine nested
  aliases make 10^9 values that pydantic would then walk), nor refer to themselves.
- Nesting deeper than ``MAX_DEPTH`` and files over ``MAX_SPEC_BYTES`` are refused before any walk.
- ``1e5`` is a number, as in YAML 1.2 and JSON (PyYAML's YAML 1.1 reads it as the string "1e5").
- A lone surrogate escape (``"\\ud800"``) is refused: no output file can hold that text.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from typing_extensions import override
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from llmsynth.errors import SpecError

MAX_SPEC_BYTES = 16 * 1024 * 1024
MAX_NODES = 1_000_000
MAX_DEPTH = 100
MAX_BRACKET_DEPTH = 1_000  # past Python's recursion limit the composer fails anyway
_BRACKETS = re.compile(r"[\[\]{}]")
_SURROGATE = re.compile("[\ud800-\udfff]")

_FLOAT_1_2 = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)
        |[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |\.[0-9_]+(?:[eE][-+]?[0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
    re.X,
)


class _Loader(yaml.SafeLoader):
    """Safe loader that refuses duplicate keys and counts the nodes aliases expand to."""

    @override
    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *base` then overriding a key is the documented way to extend a mapping
            key = self.construct_object(key_node, deep=True)
            try:
                earlier = seen.get(key)
            except TypeError:
                continue  # unhashable key: the base class reports it with its position
            if earlier is not None:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first given at line {earlier.start_mark.line + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


# replace the YAML 1.1 float rule (which needs a dot) by the YAML 1.2 one, on this loader only
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:float"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT_1_2, list("-+0123456789."))


def _expanded_size(root: Node) -> int:
    """Nodes the document has once every alias is expanded; raises on cycles, depth and size.

    Shared nodes (aliases) are sized once and then reused, so the walk is linear in the file.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Node, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if depth > MAX_DEPTH:
            raise _LimitError(f"nested deeper than {MAX_DEPTH} levels", node)
        if key in active:
            raise _LimitError("an alias refers to the mapping or list that contains it", node)
        if isinstance(node, ScalarNode):
            if isinstance(node.value, str) and _SURROGATE.search(node.value):
                raise _LimitError("a lone surrogate escape (\\ud800-\\udfff) is not valid Unicode text", node)
            return 1
        active.add(key)
        children: list[Node] = []
        if isinstance(node, SequenceNode):
            children = list(node.value)
        elif isinstance(node, MappingNode):
            children = [part for pair in node.value for part in pair]
        total = 1
        for child in children:
            total += size(child, depth + 1)
            if total > MAX_NODES:
                raise _LimitError(
                    f"expands to more than {MAX_NODES:,} values (aliases such as *a repeat whole "
                    "lists; a 'billion laughs' file is refused)",
                    node,
                )
        active.discard(key)
        sizes[key] = total
        return total

    return size(root, 0)


class _LimitError(Exception):
    def __init__(self, message: str, node: Node) -> None:
        super().__init__(message)
        self.line = node.start_mark.line + 1


def _bracket_depth(text: str) -> int:
    """Deepest run of unclosed ``[``/``{`` (quotes ignored: an over-count only matters past the limit)."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        depth = depth + 1 if match.group() in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def load_yaml(text: str, *, source: str) -> Any:
    """The data of one YAML document, or a SpecError naming the file, the line and the problem."""
    if len(text) > MAX_SPEC_BYTES:
        raise SpecError(f"file too large (a spec may have at most {MAX_SPEC_BYTES:,} characters)", source=source)
    if _bracket_depth(text) > MAX_BRACKET_DEPTH:  # PyYAML's scanner is quadratic in flow nesting
        raise SpecError(f"YAML nested too deeply (more than {MAX_BRACKET_DEPTH} open brackets)", source=source)
    loader: _Loader | None = None
    try:
        loader = _Loader(text)  # the reader refuses control characters here already
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node)
        return loader.construct_document(node)
    except _LimitError as exc:
        raise SpecError(f"YAML refused at line {exc.line}: {exc}", source=source) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(f"malformed YAML{where}: {problem}", source=source) from exc
    except RecursionError:
        raise SpecError(f"YAML nested too deeply (more than {MAX_DEPTH} levels)", source=source) from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. PyYAML's own `2024-13-45` as a date
        raise SpecError(f"malformed YAML value: {exc}", source=source) from None
    finally:
        if loader is not None:
            loader.dispose()
