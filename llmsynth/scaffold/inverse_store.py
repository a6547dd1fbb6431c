"""Compiled inverse tables kept on disk between runs.

Building a table (``scaffold/inverse.py``) needs ``scipy.stats``, and importing it alone costs 0.6-1.4 s
on a small CPU: more than the rest of a five-row preview's scaffold, paid again by every run, shard and
worker. A table is a few arrays (about 32 KB for a typical law), so it is stored, keyed by the law
(family, parameters, bounds, discreteness), the versions of scipy and numpy that computed it, and the
source of the modules that build and read tables (a change to either invalidates every entry by itself).

A stored table is the arrays a computation gave, bit for bit, so a run draws the same values whether the
store was warm or not. Only a draw beyond a table's range (``|z| > TABLE_Z``, 2.6e-12 of the draws)
imports scipy.stats then. Any error reading or writing falls back to computing; the ``MAX_ENTRIES`` most
recently used tables are kept. ``LLMSYNTH_INVERSE_CACHE=0`` turns the store off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import zipfile
from functools import lru_cache
from pathlib import Path

import numpy as np

from llmsynth import laws
from llmsynth.cache import cache_folder, evict_oldest, keep_quietly

MAX_ENTRIES = 256
_CODE = ("inverse.py", "lookup.py", "inverse_store.py")  # the modules whose source decides a table


def store_folder() -> Path | None:
    """``$LLMSYNTH_CACHE/inverses``, or None when ``LLMSYNTH_INVERSE_CACHE=0`` turns the store off."""
    if os.environ.get("LLMSYNTH_INVERSE_CACHE", "1") == "0":
        return None
    return cache_folder("inverses")


@lru_cache(maxsize=1)
def _code_identity() -> str:
    """The libraries' versions and our table code's source, hashed: what decides a table besides its law."""
    import scipy

    digest = hashlib.sha256(f"scipy {scipy.__version__} numpy {np.__version__}".encode())
    here = Path(__file__).parent
    for path in [*(here / name for name in _CODE), Path(laws.__file__)]:  # laws.py: zipf's tails
        digest.update(path.read_bytes())
    return digest.hexdigest()


def law_key(name: str, params: tuple[tuple[str, float], ...], bounds: object, discrete: bool) -> str:
    """The file name stem of a law's table."""
    record = json.dumps([_code_identity(), name, params, bounds, discrete])
    return hashlib.sha256(record.encode()).hexdigest()[:32]


def read(key: str) -> dict[str, np.ndarray] | None:
    """A stored table's arrays, or None (store off, missing, unreadable, or half-written by a crash)."""
    folder = store_folder()
    if folder is None:
        return None
    path = folder / f"{key}.npz"
    try:
        with path.open("rb") as handle, np.load(handle, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        os.utime(path)  # most recently used
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        return None
    return arrays


def write(key: str, arrays: dict[str, np.ndarray]) -> None:
    """Store a table's arrays (quietly skipped on a read-only or full disk)."""
    folder = store_folder()
    if folder is None:
        return

    def save(temporary: str) -> None:
        with open(temporary, "wb") as handle:
            np.savez(handle, allow_pickle=False, **arrays)

    if keep_quietly(folder / f"{key}.npz", save):
        with contextlib.suppress(OSError):
            evict_oldest(folder, "*.npz", MAX_ENTRIES)
