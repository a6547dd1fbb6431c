"""Independent random streams keyed by (seed, column, chunk): adding a column or changing batch size
leaves every other value unchanged."""

from __future__ import annotations

import hashlib

import numpy as np


def _key_words(key: str) -> list[int]:
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4)]


def stream(seed: int, key: str, chunk: int = -1) -> np.random.Generator:
    """A generator for one column (``key``) in one chunk; chunk -1 means the whole table."""
    return np.random.default_rng(np.random.SeedSequence([seed, chunk + 1, *_key_words(key)]))


def stream_seed(seed: int, key: str, chunk: int = -1) -> int:
    """A 63-bit integer seed derived the same way, for libraries that take ints (torch, networkx)."""
    return int(np.random.SeedSequence([seed, chunk + 1, *_key_words(key)]).generate_state(2, np.uint64)[0] >> 1)
