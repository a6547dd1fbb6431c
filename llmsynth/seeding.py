"""Independent random streams keyed by (seed, column, block of rows): adding a column, or changing the
chunk size, batch size or sharding, leaves every other value unchanged.

Sampler randomness is drawn per fixed block of ``BLOCK_ROWS`` row indices (block ``b`` holds rows
``[b * BLOCK_ROWS, (b + 1) * BLOCK_ROWS)``), never per chunk: a chunk of any size takes its rows out of
the blocks it overlaps, so the table is the same at every chunk size. Key -1 means the whole table
(time series, graphs). ``BLOCK_ROWS`` is part of the data's definition: changing it changes every table.
"""

from __future__ import annotations

import hashlib

import numpy as np

# large enough that numpy works on long vectors, small enough that a tiny table draws little extra
BLOCK_ROWS = 65_536


def _key_words(key: str) -> list[int]:
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4)]


def stream(seed: int, key: str, block: int = -1) -> np.random.Generator:
    """A generator for one column (``key``) in one block of rows (or chunk, for the LLM step); -1 = whole table."""
    return np.random.default_rng(np.random.SeedSequence([seed, block + 1, *_key_words(key)]))


def stream_seed(seed: int, key: str, chunk: int = -1) -> int:
    """A 63-bit integer seed derived the same way, for libraries that take ints (torch, networkx, sklearn)."""
    return int(np.random.SeedSequence([seed, chunk + 1, *_key_words(key)]).generate_state(2, np.uint64)[0] >> 1)


def blocks(start: int, n: int, block_rows: int = BLOCK_ROWS) -> range:
    """Indices of the blocks that rows ``[start, start + n)`` touch."""
    if n <= 0:
        return range(0)
    return range(start // block_rows, (start + n - 1) // block_rows + 1)
