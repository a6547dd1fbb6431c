"""Random material for any run of rows, cut from whole blocks keyed by (seed, column, block).

A block is always drawn whole (``BLOCK_ROWS`` rows) with its own stream, so rows ``[a, b)`` hold the same
numbers whether they are asked for in one chunk of a million rows or in chunks of 256. The blocks a
chunk needs, over all its samplers, are independent, so they can be drawn on a small thread pool
(numpy's generators release the GIL while they fill arrays; ``LLMSYNTH_THREADS``, off by default). The
last blocks of each sampler are kept, so small chunks that walk through a block draw it once.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

import numpy as np

from llmsynth.scaffold.base import Material, Sampler
from llmsynth.seeding import BLOCK_ROWS, blocks, stream

_KEEP = 2  # blocks kept per sampler: a chunk straddling a block edge needs both
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def workers() -> int:
    """Threads for drawing and finishing: ``LLMSYNTH_THREADS`` (``auto``: the cores this process may use,
    at most 4). One by default: on the shared 2-core machine two threads did not measurably pay
    (README, bench_scaffold.py); the values are the same either way."""
    configured = os.environ.get("LLMSYNTH_THREADS", "1").strip().lower()
    if configured.isdigit():
        return max(1, int(configured))
    if configured == "auto":
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        return max(1, min(4, cores))
    return 1


def pool() -> Executor | None:
    """The shared pool, or None when one thread is all there is."""
    global _pool
    if workers() < 2:
        return None
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=workers(), thread_name_prefix="llmsynth-draw")
    return _pool


def _forget_pool_in_child() -> None:
    """A forked child inherits the pool but not its threads: work sent to it would wait forever."""
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool_in_child)


class BlockDraws:
    """One sampler's material, block by block, for one seed."""

    def __init__(self, sampler: Sampler[Any], seed: int, block_rows: int = BLOCK_ROWS) -> None:
        self.sampler = sampler
        self.seed = seed
        self.key = sampler.stream_key
        self.block_rows = block_rows
        self._kept: dict[int, Material] = {}
        self._lock = threading.Lock()  # chunks' blocks may be made on several threads

    def draw_block(self, index: int) -> Material:
        """Block ``index`` drawn from its own stream (no caching: safe to call from any thread)."""
        return self.sampler.draw(self.block_rows, stream(self.seed, self.key, index))

    def missing(self, start: int, n: int) -> list[int]:
        """Blocks covering rows ``start .. start + n`` that are not drawn yet."""
        with self._lock:
            return [b for b in blocks(start, n, self.block_rows) if b not in self._kept]

    def assemble(self, start: int, n: int, fresh: dict[int, Material]) -> Material:
        """Rows ``[start, start + n)`` from kept and freshly drawn blocks; keeps the last blocks."""
        with self._lock:
            available = {**self._kept, **fresh}
        indices = list(blocks(start, n, self.block_rows))
        parts: list[Material] = []
        for index in indices:
            first = index * self.block_rows
            low, high = max(start, first) - first, min(start + n, first + self.block_rows) - first
            if index not in available:  # another thread let it go since missing() was asked: draw it again
                available[index] = self.draw_block(index)
            parts.append({name: values[low:high] for name, values in available[index].items()})
        with self._lock:
            self._kept = {b: available[b] for b in indices[-_KEEP:]}
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return self.sampler.draw(0, np.random.default_rng(0))
        return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}

    def rows(self, start: int, n: int) -> Material:
        """Material for rows ``[start, start + n)``, drawn in this thread."""
        return materials([(self, start, n)], executor=None)[0]


def materials(jobs: Sequence[tuple[BlockDraws, int, int]], executor: Executor | None) -> list[Material]:
    """Material for each (draws, start, n), drawing every missing block of every job concurrently."""
    tasks = [(draws, index) for draws, start, n in jobs for index in draws.missing(start, n)]
    if executor is not None and len(tasks) > 1:
        drawn = list(executor.map(lambda task: task[0].draw_block(task[1]), tasks))
    else:
        drawn = [draws.draw_block(index) for draws, index in tasks]
    fresh: dict[int, dict[int, Material]] = {}
    for (draws, index), material in zip(tasks, drawn, strict=True):
        fresh.setdefault(id(draws), {})[index] = material
    return [draws.assemble(start, n, fresh.get(id(draws), {})) for draws, start, n in jobs]
