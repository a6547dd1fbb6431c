"""The contract of one table file type: read a whole file, append chunks to one.

Each type is one module registered by suffix in ``llmsynth.registry.TABLE_FORMATS``, so adding a
type (or a plugin's, through the ``llmsynth.writers`` entry-point group) never touches the readers
and writers that pick them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar

import pandas as pd

from llmsynth.errors import InputDataError


class TableFormat(ABC):
    """One file type. ``read`` loads a whole file; an instance appends chunks to one output file."""

    writable: ClassVar[bool] = True
    # exceptions of the underlying library that mean "this file is not of this type"
    read_errors: ClassVar[tuple[type[Exception], ...]] = (ValueError, OSError, UnicodeDecodeError)

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    @abstractmethod
    def read(cls, path: Path) -> pd.DataFrame:
        """The whole table in ``path``."""

    def write(self, frame: pd.DataFrame, first: bool) -> None:
        """Append ``frame``; ``first`` is True for the first chunk (write a header, truncate the file).
        A type that is only read (``writable = False``) keeps this refusal."""
        raise InputDataError(f"{self.path}: {type(self).__name__} files are read, never written")

    def close(self, wrote: bool) -> None:
        """Finish the file; ``wrote`` is False when no chunk came, and the file must still be valid."""
        if not wrote:
            self.path.write_text("", encoding="utf-8")


def refuse_write(path: Path, hint: str) -> InputDataError:
    """The error for a type that can be read but not written."""
    return InputDataError(f"{path}: {hint}")
