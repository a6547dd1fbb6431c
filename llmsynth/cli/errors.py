"""Turn llmsynth errors into one clear line on stderr and an exit code, never a traceback."""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from llmsynth.errors import LLMSynthError

F = TypeVar("F", bound=Callable[..., Any])

DEBUG = {"enabled": False}


def handle_errors(func: F) -> F:
    """Decorate a command: LLMSynthError -> 'error: ...' and its exit code (2 for bad input)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except LLMSynthError as exc:
            if DEBUG["enabled"]:
                traceback.print_exc()
            print(f"error: {exc}", file=sys.stderr)
            raise typer.Exit(exc.exit_code) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug, not bad input: still one line, with the way to see more
            if DEBUG["enabled"]:
                traceback.print_exc()
            hint = "a bug in llmsynth; rerun with --debug for the traceback"
            print(f"error: unexpected {type(exc).__name__}: {exc} ({hint})", file=sys.stderr)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]
