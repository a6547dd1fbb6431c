"""Output paths as user input: a folder given as the output, a file where a folder should be, or a
folder without write permission is the user's to fix, so it is reported as such (exit code 2)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from llmsynth.errors import OutputError


def check_output_path(output: Path) -> None:
    """Refuse an output that can never be written, before any work starts."""
    if output.is_dir():
        raise OutputError(f"{output} is a folder; give a file name, e.g. {output / ('data' + output.suffix)}")
    for parent in output.parents:
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                raise OutputError(f"{output}: {parent} is a file, not a folder")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise OutputError(f"{output}: no permission to write in {parent}")
            return


@contextmanager
def output_errors(path: Path) -> Iterator[None]:
    """OS errors while writing become OutputError naming the path (and the file the OS named, if another)."""
    try:
        yield
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(describe_os_error(exc, path)) from exc


def describe_os_error(exc: OSError, path: Path | str) -> str:
    """A one-line reason for an OS error on ``path`` (no permission, a folder in the way, disk full, ...)."""
    where = str(path)
    named = exc.filename
    if named is not None and str(named) != where:
        where = f"{where}: {os.fsdecode(named)}"
    reason = exc.strerror or str(exc)
    return f"{where}: {reason}"
