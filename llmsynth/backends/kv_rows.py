"""Key/value memory of a batch of rows that advance independently.

Every forward pass appends the same number of columns to every row; a row that has fewer tokens to feed
leaves holes, which its attention mask hides. Position ids are explicit, so a row's tokens keep the
positions of a contiguous sequence whatever holes lie between them: a rejected attempt or an unchosen
candidate is removed by hiding its columns, never by copying memory. The prompt prefix that all rows share
is computed once and copied into every row.

The buffers are preallocated and grow by doubling (transformers' dynamic cache concatenates, copying the
whole cache at every step). Columns past ``length`` are never read (attention sees ``[:length]``), so the
buffers are allocated uninitialised and moves copy only the filled columns; a hole inside ``[:length]`` is
always written (zeros or a padding token's keys), since a masked column still enters attention's product.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import torch
from transformers.cache_utils import Cache, DynamicLayer
from typing_extensions import override

FORCE_GQA = "TRANSFORMERS_SDPA_FORCE_GQA"


class GrowingLayer(DynamicLayer):
    """One layer's keys and values in a preallocated buffer; attention sees the filled part as a view."""

    def __init__(self, keys: torch.Tensor, values: torch.Tensor, length: int) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # transformers' layer is not annotated
        self.set_buffers(keys, values)
        self.length = length
        self.is_initialized = True
        self.device = keys.device

    def set_buffers(self, keys: torch.Tensor, values: torch.Tensor) -> None:
        """Point the layer at new buffers (after a move); attention reads them as a view."""
        self.key_buffer, self.value_buffer = keys, values
        self.keys, self.values = keys, values

    @override
    def lazy_initialization(self, key_states: torch.Tensor, value_states: torch.Tensor) -> None:
        raise RuntimeError("GrowingLayer buffers are allocated up front")

    @override
    def update(self, key_states: torch.Tensor, value_states: torch.Tensor, *args: Any, **kwargs: Any
               ) -> tuple[torch.Tensor, torch.Tensor]:
        end = self.length + key_states.shape[-2]
        self.key_buffer[:, :, self.length : end] = key_states
        self.value_buffer[:, :, self.length : end] = value_states
        self.length = end
        return self.key_buffer[:, :, :end], self.value_buffer[:, :, :end]

    @override
    def get_mask_sizes(self, query_length: int) -> tuple[int, int]:
        return self.length + query_length, 0

    @override
    def get_seq_length(self) -> int:
        return self.length


@dataclass
class Feed:
    """What one row feeds in one pass: tokens, their positions, and for each token the earlier tokens of
    this pass it may attend to (a chain attends to all before it; a candidate node to its ancestors)."""

    tokens: list[int] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    sees: list[list[int]] = field(default_factory=list)
    keep: list[bool] = field(default_factory=list)  # part of the row's text (chain) or provisional (candidate)

    def chain(self, token: int, position: int) -> int:
        """Append a token of the row's text; it sees every earlier chain token of the pass."""
        index = len(self.tokens)
        chain_before = [i for i, kept in enumerate(self.keep) if kept]
        self.tokens.append(token)
        self.positions.append(position)
        self.sees.append(chain_before)
        self.keep.append(True)
        return index

    def matrix(self) -> Any:
        """Which of this pass's tokens each token sees (itself included), as a boolean numpy matrix."""
        import numpy as np

        n = len(self.tokens)
        if all(self.keep):
            return np.tril(np.ones((n, n), dtype=bool))
        local = np.eye(n, dtype=bool)
        for query, seen in enumerate(self.sees):
            local[query, seen] = True
        return local

    def node(self, token: int, position: int, ancestors: list[int]) -> int:
        """Append a provisional candidate token; it sees the chain and its own ancestors only."""
        index = len(self.tokens)
        chain = [i for i, kept in enumerate(self.keep) if kept]
        self.tokens.append(token)
        self.positions.append(position)
        self.sees.append(chain + ancestors)
        self.keep.append(False)
        return index


class RowMemory:
    """The key/value buffers and visibility of a batch of rows over a shared prompt prefix."""

    def __init__(self, model: Any, prefix: list[tuple[torch.Tensor, torch.Tensor]], rows: int, room: int) -> None:
        self.model = model
        prefix_length = prefix[0][0].shape[2] if prefix else 0
        capacity = prefix_length + max(room, 16)
        self.layers: list[GrowingLayer] = []
        for keys, values in prefix:
            k = _buffer(keys, rows, capacity)
            v = _buffer(values, rows, capacity)
            k[:, :, :prefix_length] = keys
            v[:, :, :prefix_length] = values
            self.layers.append(GrowingLayer(k, v, prefix_length))
        device = prefix[0][0].device
        self.visible = torch.zeros((rows, capacity), dtype=torch.bool, device=device)
        self.visible[:, :prefix_length] = True
        self.length = prefix_length
        self.capacity = capacity
        self.device = device

    @property
    def rows(self) -> int:
        """Rows in the batch."""
        return int(self.visible.shape[0])

    def _grow(self, needed: int) -> None:
        capacity = max(needed, self.capacity * 2)
        for layer in self.layers:
            grown = []
            for old in (layer.key_buffer, layer.value_buffer):
                new = _buffer(old, old.shape[0], capacity)
                new[:, :, : self.length] = old[:, :, : self.length]
                grown.append(new)
            layer.set_buffers(grown[0], grown[1])
        visible = torch.zeros((self.rows, capacity), dtype=torch.bool, device=self.device)
        visible[:, : self.length] = self.visible[:, : self.length]
        self.visible = visible
        self.capacity = capacity

    def forward(self, feeds: list[Feed]) -> tuple[torch.Tensor, int]:
        """Run one pass; returns the hidden states [rows, width, hidden] and the first new column."""
        width = max(len(f.tokens) for f in feeds)
        start = self.length
        if start + width > self.capacity:
            self._grow(start + width)
        ids = torch.zeros((self.rows, width), dtype=torch.long)
        positions = torch.zeros((self.rows, width), dtype=torch.long)
        mask = torch.zeros((self.rows, 1, width, start + width), dtype=torch.bool)
        mask[:, 0, :, :start] = self.visible[:, :start].cpu().unsqueeze(1)
        mask[:, 0, :, 0] |= True  # padding queries see the first column; their outputs are never read
        for row, feed in enumerate(feeds):
            n = len(feed.tokens)
            if n:
                ids[row, :n] = torch.tensor(feed.tokens)
                positions[row, :n] = torch.tensor(feed.positions)
                mask[row, 0, :n, start : start + n] = torch.from_numpy(feed.matrix())
        cache = Cache(layers=list(self.layers))
        with torch.inference_mode(), _grouped_attention():
            output = self.model.model(
                input_ids=ids.to(self.device),
                attention_mask=mask.to(self.device),
                position_ids=positions.to(self.device),
                past_key_values=cache,
                use_cache=True,
            )
        self.length = start + width
        for row, feed in enumerate(feeds):
            for index, kept in enumerate(feed.keep):
                if kept:
                    self.visible[row, start + index] = True
        return output.last_hidden_state, start

    def show(self, row: int, columns: list[int]) -> None:
        """Make columns of a row visible to its later tokens (a chosen candidate's nodes)."""
        for column in columns:
            self.visible[row, column] = True

    def hide(self, row: int, columns: list[int]) -> None:
        """Hide columns of a row from its later tokens (a rejected draw, text past a cut)."""
        for column in columns:
            self.visible[row, column] = False

    def absorb(self, other: RowMemory) -> None:
        """Append another batch's rows (its columns line up from the start; the shorter side gets holes)."""
        length = max(self.length, other.length)
        capacity = length + max(self.capacity - self.length, other.capacity - other.length, 16)
        rows = self.rows + other.rows
        for mine, theirs in zip(self.layers, other.layers, strict=True):
            merged = []
            for a, b in ((mine.key_buffer, theirs.key_buffer), (mine.value_buffer, theirs.value_buffer)):
                new = _buffer(a, rows, capacity)
                new[: self.rows, :, : self.length] = a[:, :, : self.length]
                new[: self.rows, :, self.length : length] = 0  # holes of the shorter side
                new[self.rows :, :, : other.length] = b[:, :, : other.length]
                new[self.rows :, :, other.length : length] = 0
                merged.append(new)
            mine.set_buffers(merged[0], merged[1])
            mine.length = length
        visible = torch.zeros((rows, capacity), dtype=torch.bool, device=self.device)
        visible[: self.rows, : self.length] = self.visible[:, : self.length]
        visible[self.rows :, : other.length] = other.visible[:, : other.length]
        self.visible, self.length, self.capacity = visible, length, capacity

    def select_rows(self, rows: list[int]) -> None:
        """Keep the rows listed, in that order: finished rows leave the batch (so passes stop computing
        them), and a row listed twice is copied (rows whose prompts are the same were prefilled once)."""
        index = torch.tensor(rows, dtype=torch.long, device=self.device)
        for layer in self.layers:
            moved = []
            for old in (layer.key_buffer, layer.value_buffer):
                new = _buffer(old, len(rows), self.capacity)
                torch.index_select(old[:, :, : self.length], 0, index, out=new[:, :, : self.length])
                moved.append(new)
            layer.set_buffers(moved[0], moved[1])
        self.visible = self.visible.index_select(0, index)


@contextlib.contextmanager
def _grouped_attention() -> Iterator[None]:
    """Let SDPA read the grouped key/value heads as they are (``enable_gqa``) although a mask is given.

    With a mask, transformers otherwise repeats every key/value head for each query head it serves,
    copying the whole memory (prompt prefix included) three times per layer per pass: on a CPU, with a
    few-shot prefix, that copy costs more than the model's matrix products. transformers reads this switch
    at each call, so it is set only while our passes run.
    """
    previous = os.environ.get(FORCE_GQA)
    os.environ[FORCE_GQA] = "1"
    try:
        yield
    finally:
        if previous is None:
            del os.environ[FORCE_GQA]
        else:
            os.environ[FORCE_GQA] = previous


def _buffer(like: torch.Tensor, rows: int, capacity: int) -> torch.Tensor:
    """An uninitialised [rows, heads, capacity, head_dim] buffer shaped and typed like ``like``."""
    return torch.empty((rows, like.shape[1], capacity, like.shape[3]), dtype=like.dtype, device=like.device)


def prefix_memory(model: Any, tokens: list[int]) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Keys and values of the shared prompt prefix, computed once (one row)."""
    from transformers import DynamicCache

    cache = DynamicCache(config=model.config)
    device = model.device
    if tokens:
        with torch.inference_mode():
            model.model(input_ids=torch.tensor([tokens], device=device), past_key_values=cache, use_cache=True)
        return [(layer.keys, layer.values) for layer in cache.layers]  # type: ignore[union-attr,misc]
    # no shared prefix: zero-length tensors with the right head shapes
    config = model.config
    heads = int(getattr(config, "num_key_value_heads", None) or config.num_attention_heads)
    head_dim = int(getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads)
    empty = torch.zeros((1, heads, 0, head_dim), dtype=model.dtype, device=device)
    return [(empty, empty) for _ in range(int(config.num_hidden_layers))]
