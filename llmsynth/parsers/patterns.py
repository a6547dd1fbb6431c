"""User regular expressions compiled with RE2, so matching time is linear in the text whatever the pattern.

RE2 has no backreferences or lookaround; a pattern that uses them is refused with a SpecError that
says so, rather than run on Python's backtracking engine where ``(a+)+$`` can take hours on 40
characters. Compiled patterns are cached (compiling is the costly part).
"""

from __future__ import annotations

import functools
from typing import Any

import re2

from llmsynth.errors import SpecError

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # the failure becomes our SpecError; RE2's own stderr line would be noise
_UNSUPPORTED_HINTS = ("(?=", "(?!", "(?<=", "(?<!", "\\1", "\\2", "(?P=")


@functools.lru_cache(maxsize=256)
def _compile(pattern: str) -> Any:
    return re2.compile(pattern, _OPTIONS)


def compile_pattern(pattern: str, *, column: str | None = None, what: str = "pattern") -> Any:
    """An RE2 pattern object, or a SpecError naming the column and what RE2 could not accept."""
    try:
        return _compile(pattern)
    except re2.error as exc:
        detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        hint = ""
        if any(h in pattern for h in _UNSUPPORTED_HINTS):
            hint = (
                " — backreferences and lookaround are not supported: patterns run on RE2 so that "
                "matching cannot backtrack for ever; rewrite the pattern without them"
            )
        raise SpecError(
            f"{what} {pattern!r} is not a valid RE2 expression: {detail}{hint}", column=column
        ) from exc


def fullmatch(pattern: str, text: str, *, column: str | None = None) -> bool:
    """Whether the whole text matches (the meaning of ``pattern`` in a column schema)."""
    return compile_pattern(pattern, column=column).fullmatch(text) is not None
