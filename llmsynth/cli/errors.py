"""Turn llmsynth errors into one clear line on stderr and an exit code, never a traceback.

Only ``LLMSynthError`` and its subclasses are a user's to fix (exit code 2 for bad input, see
``llmsynth.errors``); the API wraps OS errors on the user's paths into ``PathError`` at its boundary, so
anything else that reaches a command is a bug: still one line, exit code 1, and how to see more.
"""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

from llmsynth.errors import LLMSynthError

P = ParamSpec("P")
R = TypeVar("R")

DEBUG = {"enabled": False}


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Decorate a command: LLMSynthError -> 'error: ...' and its exit code; any other exception -> a
    one-line 'unexpected ...' naming it as a bug, exit code 1 (--debug shows the traceback)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except LLMSynthError as exc:
            _report(str(exc), exc)
            raise typer.Exit(exc.exit_code) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug, not bad input: still one line, with the way to see more
            hint = "a bug in llmsynth; rerun with --debug for the traceback"
            _report(f"unexpected {type(exc).__name__}: {exc} ({hint})", exc)
            raise typer.Exit(1) from None

    return wrapper


def _report(message: str, exc: BaseException) -> None:
    if DEBUG["enabled"]:
        traceback.print_exc()
    print(f"error: {message}", file=sys.stderr)
    for note in getattr(exc, "__notes__", []):
        print(f"note: {note}", file=sys.stderr)
