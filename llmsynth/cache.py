"""Where llmsynth keeps what it derives and can derive again: converted models, prompt prefixes, inverse
tables. ``$LLMSYNTH_CACHE``, default ``~/.cache/llmsynth``. Nothing kept here is a source of truth:
deleting the folder only costs the next run the time to compute it again."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def cache_folder(part: str) -> Path:
    """``$LLMSYNTH_CACHE/<part>``, default ``~/.cache/llmsynth/<part>`` (not created here)."""
    base = os.environ.get("LLMSYNTH_CACHE") or "~/.cache/llmsynth"
    return Path(base).expanduser() / part


def keep_quietly(path: Path, write: Callable[[str], None]) -> bool:
    """Write a cache entry under a temporary name (``write`` gets that name) and rename it into place, so a
    reader never sees half a file. A read-only or full disk is not an error: it only costs the next run a
    computation (returns False)."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}-", dir=path.parent)
        os.close(handle)
        try:
            write(temporary)
            os.replace(temporary, path)
            return True
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    return False


def evict_oldest(folder: Path, pattern: str, keep: int) -> None:
    """Delete all but the ``keep`` most recently used entries (by modification time) matching ``pattern``."""
    entries = []
    for path in folder.glob(pattern):
        with contextlib.suppress(OSError):  # removed meanwhile by another run
            entries.append((path.stat().st_mtime_ns, path))
    entries.sort(reverse=True)
    for _, old in entries[keep:]:
        with contextlib.suppress(OSError):
            old.unlink()
