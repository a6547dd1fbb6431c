"""Where the API meets its caller: an OSError on a path the caller gave (missing, a folder, no permission)
leaves as a ``PathError``, so everything the API raises to a user derives from ``LLMSynthError``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from llmsynth.errors import LLMSynthError, PathError

P = ParamSpec("P")
R = TypeVar("R")


def public(function: Callable[P, R]) -> Callable[P, R]:
    """Mark a public API function and wrap the OS errors it lets through (their message names the path)."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except LLMSynthError:
            raise
        except OSError as exc:
            raise PathError.from_os_error(exc) from exc

    return wrapper
