"""Every exception llmsynth raises to a user, so callers can catch one root and the CLI can map them to
exit codes; third-party and OS errors are wrapped where they cross into llmsynth (``raise ... from exc``).

    LLMSynthError                  root; the CLI prints its message, never a traceback (exit code 1)
    ├── SpecError                  bad user input in a spec or its files (exit code 2)
    │   └── ExpressionError        an expression column/parameter that is not allowed or refers to nothing
    ├── InputDataError             bad data given to eval/parse/fit (exit code 2)
    ├── OutputError                an output path that cannot be written, or a run folder in the way (exit code 2)
    ├── PathError                  the file system refused a path the user gave; also an OSError (exit code 2)
    ├── EngineError                an engine option that cannot be honoured: Ray missing or unreachable, a bad
    │                              --shard, a spec a sharded run cannot split (exit code 2)
    ├── RunInterrupted             Ctrl-C stopped a run after a chunk; it can be resumed (exit code 130)
    ├── ModelLoadError             weights missing or unloadable; says where it looked and how to install (exit code 2)
    ├── GenerationError            the model or a sampler failed while generating
    └── ParseError                 text that no parser could read; carries the raw text and the parser
        └── SchemaValidationError  a row that was read but breaks the row schema; carries every reason
"""

from __future__ import annotations

import copy
import os
from typing import Any


class LLMSynthError(Exception):
    """Root of every llmsynth error."""

    exit_code = 1


class SpecError(LLMSynthError):
    """A spec (or a file it points to) is invalid; the message names the file, the column and the problem."""

    exit_code = 2

    def __init__(self, message: str, *, source: str | None = None, column: str | None = None) -> None:
        self.source = source
        self.column = column
        prefix = ""
        if source:
            prefix += f"{source}: "
        if column:
            prefix += f"column '{column}': "
        super().__init__(prefix + message)


class ExpressionError(SpecError):
    """An expression uses a name or construct that is not allowed."""


class InputDataError(LLMSynthError):
    """A data file given to eval/parse/fit cannot be used."""

    exit_code = 2


class OutputError(LLMSynthError):
    """An output path cannot be used (a folder, a file in the way, no permission), or a previous run's
    folder needs --resume or --force; the message names the path."""

    exit_code = 2


class PathError(LLMSynthError, OSError):
    """The file system refused a path the user gave (missing, a folder, no permission, disk full).

    The API turns such an OSError into this at its boundary, so one root covers it; it stays an OSError,
    so ``except OSError`` written against earlier versions still works."""

    exit_code = 2

    @classmethod
    def from_os_error(cls, exc: OSError) -> PathError:
        """``path: reason`` (``source -> target: reason`` for a rename), without Python's errno prefix."""
        reason = exc.strerror or str(exc)
        if exc.filename is None:
            return cls(reason)
        where = _path_text(exc.filename)
        if exc.filename2 is not None:
            where += f" -> {_path_text(exc.filename2)}"
        error = cls(f"{where}: {reason}")
        error.filename, error.filename2 = exc.filename, exc.filename2
        return error

    def __str__(self) -> str:
        """The message alone: OSError's own form would print ``[Errno None] None: ...``."""
        return str(self.args[0]) if self.args else ""


def _path_text(filename: Any) -> str:
    return os.fsdecode(filename) if isinstance(filename, str | bytes | os.PathLike) else str(filename)

class EngineError(LLMSynthError):
    """The engine asked for cannot run this (Ray not installed or unreachable, a bad shard); says what to do."""

    exit_code = 2


class RunInterrupted(LLMSynthError):
    """A run stopped on request after its last complete chunk; what it wrote is kept for --resume."""

    exit_code = 130


class ModelLoadError(LLMSynthError):
    """A model cannot be loaded; the message says what was looked for and how to provide it."""

    exit_code = 2


class GenerationError(LLMSynthError):
    """Generation failed at run time."""


class ParseError(LLMSynthError):
    """Text that could not be turned into a row."""

    def __init__(self, message: str, *, raw: str = "", parser: str = "") -> None:
        self.raw = raw
        self.parser = parser
        super().__init__(message)

    def located(self, *, raw: str, parser: str) -> ParseError:
        """The same error (same class and details) told which whole output and parser it came from."""
        located = copy.copy(self)
        located.raw, located.parser = raw, parser
        return located


class SchemaValidationError(ParseError):
    """A row that was read but breaks the row schema: ``reasons`` has one line per broken rule."""

    exit_code = 2

    def __init__(self, message: str, *, raw: str = "", parser: str = "", reasons: list[str] | None = None) -> None:
        self.reasons = reasons or []
        super().__init__(message, raw=raw, parser=parser)
