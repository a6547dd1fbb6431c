"""Turn llmsynth errors into one clear line on stderr and an exit code, never a traceback."""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from llmsynth.errors import LLMSynthError

F = TypeVar("F", bound=Callable[..., Any])

DEBUG = {"enabled": False}


def handle_errors(func: F) -> F:
    """Decorate a command: LLMSynthError -> 'error: ...' and its exit code (2 for bad input); an OS error
    on a path the user gave (missing, a folder, no permission) -> exit code 2 naming the path."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except LLMSynthError as exc:
            _report(str(exc), exc)
            raise typer.Exit(exc.exit_code) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except OSError as exc:  # the file system refused a path: the user's to fix, not a bug
            _report(_os_message(exc), exc)
            raise typer.Exit(2) from None
        except Exception as exc:  # a bug, not bad input: still one line, with the way to see more
            hint = "a bug in llmsynth; rerun with --debug for the traceback"
            _report(f"unexpected {type(exc).__name__}: {exc} ({hint})", exc)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _report(message: str, exc: BaseException) -> None:
    if DEBUG["enabled"]:
        traceback.print_exc()
    print(f"error: {message}", file=sys.stderr)
    for note in getattr(exc, "__notes__", []):
        print(f"note: {note}", file=sys.stderr)


def _os_message(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    if exc.filename is None:
        return reason
    where = _name(exc.filename)
    if exc.filename2 is not None:
        where += f" -> {_name(exc.filename2)}"
    return f"{where}: {reason}"


def _name(filename: Any) -> str:
    return os.fsdecode(filename) if isinstance(filename, str | bytes | os.PathLike) else str(filename)
