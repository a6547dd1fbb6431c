"""Every exception llmsynth raises, so callers can catch one root and the CLI can map them to exit codes.

    LLMSynthError                  root; the CLI prints its message, never a traceback
    ├── SpecError                  bad user input in a spec or its files (exit code 2)
    │   └── ExpressionError        an expression column/parameter that is not allowed or refers to nothing
    ├── InputDataError             bad data given to eval/parse/fit (exit code 2)
    ├── OutputError                an output path that cannot be written, or a run folder in the way (exit code 2)
    ├── EngineError                an engine option that cannot be honoured: Ray missing or unreachable, a bad
    │                              --shard, a spec a sharded run cannot split (exit code 2)
    ├── RunInterrupted             Ctrl-C stopped a run after a chunk; it can be resumed (exit code 130)
    ├── ModelLoadError             weights missing or unloadable; says where it looked and how to install
    ├── GenerationError            the model or a sampler failed while generating
    ├── ParseError                 model text that no parser could read; carries the raw text
    └── SchemaValidationError      rows that break the row schema; carries the reasons
"""

from __future__ import annotations


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


class SchemaValidationError(LLMSynthError):
    """Rows that do not satisfy the row schema."""

    exit_code = 2

    def __init__(self, message: str, *, reasons: list[str] | None = None) -> None:
        self.reasons = reasons or []
        super().__init__(message)
