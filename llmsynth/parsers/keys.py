"""Match the keys a model writes (``Job Title``, ``job-title``, ``**Job**``) to schema column names."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from llmsynth.errors import ParseError

_SEPARATORS = re.compile(r"[\s_\-]+")
_DECORATION = " \t*_`\"'"


def normalise_key(key: str) -> str:
    """Case-folded key with runs of spaces, underscores and hyphens made one underscore."""
    return _SEPARATORS.sub("_", key.strip(_DECORATION).casefold()).strip("_")


class KeyMap:
    """Schema column names by their normalised form; keys that map to no column are not used."""

    def __init__(self, names: Iterable[str], required: Iterable[str] | None = None) -> None:
        self.names = list(names)
        self.required = self.names if required is None else list(required)
        self._by_key: dict[str, str] = {}
        for name in self.names:
            self._by_key.setdefault(normalise_key(name), name)

    def lookup(self, key: str) -> str | None:
        """The column a key names (case-insensitive; spaces, underscores and hyphens alike), or None."""
        if key in self._by_key.values():
            return key
        return self._by_key.get(normalise_key(key))

    def map_items(self, items: Iterable[tuple[str, Any]]) -> dict[str, Any]:
        """Values keyed by column name; two keys that mean the same column are an error, not a guess."""
        out: dict[str, Any] = {}
        for key, value in items:
            name = self.lookup(str(key))
            if name is None:
                continue
            if name in out:
                raise ParseError(f"{name}: given twice (as '{key}' and an earlier key)")
            out[name] = value
        return out

    def map_header(self, cells: Sequence[str]) -> list[str | None] | None:
        """Column names for a header row, or None when most cells name no column (a data row)."""
        names = [self.lookup(c) for c in cells]
        hits = sum(n is not None for n in names)
        if hits == 0 or hits * 2 < len(cells) or len({n for n in names if n}) != hits:
            return None
        return names
