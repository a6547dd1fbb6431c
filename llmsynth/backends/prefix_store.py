"""Keys and values of shared prompt prefixes, kept on disk between runs of the same model.

The prefix every row of a call shares (system prompt, field list, few-shot turns) is computed once per run;
on a small CPU that one pass costs about a second for a few-shot spec, longer than reading its keys and
values back (a few milliseconds for ~14 MB). A user who previews, edits a column and previews again keeps
the same prefix, so it is stored, keyed by the model's weights (path, size and modification time of every
weights file), dtype, runtime, torch's version and the prefix's token ids.

A stored prefix is exactly the tensors a computation gave, so a run that reads it decodes as the run that
wrote it did. Prefixes are always made contiguous, read or computed, so both give the same memory layout.
The store keeps the most recently used ``MAX_ENTRIES`` files; any error reading or writing falls back to
computing (it is a cache, never a source of truth). ``LLMSYNTH_PREFIX_CACHE=0`` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import torch

from llmsynth.backends.kv_rows import Prefix
from llmsynth.cache import cache_folder, evict_oldest, keep_quietly

MIN_TOKENS = 64  # shorter prefixes cost less to compute than a file read and write
MAX_ENTRIES = 16


def store_folder() -> Path:
    """``$LLMSYNTH_CACHE/prefixes``, default ``~/.cache/llmsynth/prefixes``."""
    return cache_folder("prefixes")


def model_identity(folder: Path, dtype: str, runtime: str) -> str:
    """What decides a prefix's keys and values besides its tokens: the weights files as they are on disk,
    the dtype, the code that ran the model (runtime, torch's version)."""
    files = []
    for path in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")):
        stat = path.stat()
        files.append([str(path.resolve()), stat.st_size, stat.st_mtime_ns])
    record = {"files": files, "dtype": dtype, "runtime": runtime, "torch": torch.__version__}
    return hashlib.sha256(json.dumps(record).encode()).hexdigest()


class PrefixStore:
    """Prefix memories on disk for one model; ``folder`` None keeps nothing (every call computes)."""

    def __init__(self, identity: str, folder: Path | None) -> None:
        self.identity = identity
        self.folder = folder
        self.hits = 0

    def prefix(self, tokens: list[int], compute: Callable[[list[int]], Prefix]) -> Prefix:
        """The prefix's memory: read from the store when there, else computed (and stored)."""
        if self.folder is None or len(tokens) < MIN_TOKENS:
            return _contiguous(compute(tokens))
        path = self.folder / f"{self._key(tokens)}.safetensors"
        stored = self._read(path)
        if stored is not None:
            self.hits += 1
            return stored
        memory = _contiguous(compute(tokens))
        self._write(path, memory)
        return memory

    def _key(self, tokens: list[int]) -> str:
        digest = hashlib.sha256(self.identity.encode())
        digest.update(json.dumps(tokens).encode())
        return digest.hexdigest()[:32]

    def _read(self, path: Path) -> Prefix | None:
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        try:
            tensors = load_file(path)
            layers = len(tensors) // 2
            memory = [(tensors[f"keys.{i}"], tensors[f"values.{i}"]) for i in range(layers)]
            os.utime(path)  # most recently used
        except (OSError, KeyError, SafetensorError):  # missing, unreadable or half-written by a crash
            return None
        return memory if memory else None

    def _write(self, path: Path, memory: Prefix) -> None:
        from safetensors.torch import save_file

        tensors = {}
        for i, (keys, values) in enumerate(memory):
            tensors[f"keys.{i}"], tensors[f"values.{i}"] = keys.cpu(), values.cpu()
        if keep_quietly(path, lambda temporary: save_file(tensors, temporary)):
            assert self.folder is not None
            evict_oldest(self.folder, "*.safetensors", MAX_ENTRIES)


def _contiguous(memory: Prefix) -> Prefix:
    return [(keys.contiguous(), values.contiguous()) for keys, values in memory]
