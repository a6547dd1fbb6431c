"""Key/value memory of a batch of rows that advance independently.

Every forward pass appends the same number of columns to every row; a row that has fewer tokens to feed
leaves holes, which its attention mask hides. Position ids are explicit, so a row's tokens keep the
positions of a contiguous sequence whatever holes lie between them: a rejected attempt or an unchosen
candidate is removed by hiding its columns, never by copying memory.

The prompt prefix that all rows share is computed once and kept once: attention (``attend_rows``) reads
it as one block for the whole batch and merges it with each row's own columns (one softmax over both,
joined by their maxima and sums). Neither the memory nor the copies made when rows join or leave grow
with the prefix, and a pass reads the prefix's keys once instead of once per row.

The model's code is not here: a ``RowsModel`` runs the pass (our own Llama forward, or transformers' model
code through ``hf_rows``). The rows' buffers are preallocated and grow by doubling (transformers' dynamic
cache concatenates, copying the whole cache at every step). Columns past the filled ones are never read, so
the buffers are allocated uninitialised and moves copy only the filled columns; a hole among the filled
columns is always written (zeros or a padding token's keys), since a masked column still enters attention's
product.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import torch

# the shared prefix's keys and values, one (keys [1, kv_heads, prefix, head_dim], values) per layer
Prefix = list[tuple[torch.Tensor, torch.Tensor]]


class LayerBuffers:
    """One layer's keys and values of the rows, in a preallocated buffer; attention reads the filled part."""

    def __init__(self, keys: torch.Tensor, values: torch.Tensor, length: int) -> None:
        self.keys, self.values = keys, values
        self.length = length

    def append(self, keys: torch.Tensor, values: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Write a pass's new columns after the filled ones; returns every filled column (views)."""
        end = self.length + keys.shape[-2]
        self.keys[:, :, self.length : end] = keys
        self.values[:, :, self.length : end] = values
        self.length = end
        return self.keys[:, :, :end], self.values[:, :, :end]


class RowsModel(Protocol):
    """A model our decoder can drive: one pass of rows over a shared prefix, and that prefix's memory.
    ``native_llama.NativeLlama`` is one; ``hf_rows.TransformersRows`` adapts any transformers model."""

    device: Any
    lm_head: Any

    def forward_rows(self, ids: torch.Tensor, positions: torch.Tensor, mask: torch.Tensor,
                     layers: list[LayerBuffers], prefix: Prefix) -> torch.Tensor:
        """Hidden states [rows, width, hidden]; each layer's new keys and values go into ``layers``."""
        ...

    def prefix_memory(self, tokens: list[int]) -> Prefix:
        """Keys and values of the shared prompt prefix, computed once."""
        ...


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

    def chain_text(self, tokens: list[int], start: int) -> None:
        """Append a run of the row's text at consecutive positions from ``start``."""
        for offset, token in enumerate(tokens):
            self.chain(token, start + offset)

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
    """The key/value buffers and visibility of a batch of rows over a shared prompt prefix (kept once).

    Columns are numbered from the start of the prompt: column ``prefix_length + i`` is the rows' buffer
    column ``i``; the prefix's columns are visible to every row."""

    def __init__(self, model: RowsModel, prefix: Prefix, rows: int, room: int) -> None:
        self.model = model
        self.prefix = prefix
        self.prefix_length = prefix[0][0].shape[2] if prefix else 0
        capacity = max(room, 16)
        self.layers = [LayerBuffers(_buffer(keys, rows, capacity), _buffer(values, rows, capacity), 0)
                       for keys, values in prefix]
        self.device = prefix[0][0].device
        self.visible = torch.zeros((rows, capacity), dtype=torch.bool, device=self.device)
        self.filled = 0  # the rows' own columns written so far
        self.capacity = capacity

    @property
    def rows(self) -> int:
        """Rows in the batch."""
        return int(self.visible.shape[0])

    @property
    def length(self) -> int:
        """Columns so far, the prefix's included."""
        return self.prefix_length + self.filled

    def _grow(self, needed: int) -> None:
        capacity = max(needed, self.capacity * 2)
        for layer in self.layers:
            grown = []
            for old in (layer.keys, layer.values):
                new = _buffer(old, old.shape[0], capacity)
                new[:, :, : self.filled] = old[:, :, : self.filled]
                grown.append(new)
            layer.keys, layer.values = grown
        visible = torch.zeros((self.rows, capacity), dtype=torch.bool, device=self.device)
        visible[:, : self.filled] = self.visible[:, : self.filled]
        self.visible = visible
        self.capacity = capacity

    def forward(self, feeds: list[Feed]) -> tuple[torch.Tensor, int]:
        """Run one pass; returns the hidden states [rows, width, hidden] and the first new column."""
        width = max(len(f.tokens) for f in feeds)
        start = self.filled
        if start + width > self.capacity:
            self._grow(start + width)
        ids = torch.zeros((self.rows, width), dtype=torch.long)
        positions = torch.zeros((self.rows, width), dtype=torch.long)
        mask = torch.zeros((self.rows, 1, width, start + width), dtype=torch.bool)
        mask[:, 0, :, :start] = self.visible[:, :start].cpu().unsqueeze(1)
        for row, feed in enumerate(feeds):
            n = len(feed.tokens)
            if n:
                ids[row, :n] = torch.tensor(feed.tokens)
                positions[row, :n] = torch.tensor(feed.positions)
                mask[row, 0, :n, start : start + n] = torch.from_numpy(feed.matrix())
        hidden = self.model.forward_rows(ids.to(self.device), positions.to(self.device), mask.to(self.device),
                                         self.layers, self.prefix)
        self.filled = start + width
        for row, feed in enumerate(feeds):
            for index, kept in enumerate(feed.keep):
                if kept:
                    self.visible[row, start + index] = True
        return hidden, self.prefix_length + start

    def show(self, row: int, columns: list[int]) -> None:
        """Make columns of a row visible to its later tokens (a chosen candidate's nodes)."""
        for column in columns:
            self.visible[row, column - self.prefix_length] = True

    def hide(self, row: int, columns: list[int]) -> None:
        """Hide columns of a row from its later tokens (a rejected draw, text past a cut)."""
        for column in columns:
            self.visible[row, column - self.prefix_length] = False

    def absorb(self, other: RowMemory) -> None:
        """Append another batch's rows over the same prefix (their columns line up from the start; the
        shorter side gets holes)."""
        filled = max(self.filled, other.filled)
        capacity = filled + max(self.capacity - self.filled, other.capacity - other.filled, 16)
        rows = self.rows + other.rows
        for mine, theirs in zip(self.layers, other.layers, strict=True):
            merged = []
            for a, b in ((mine.keys, theirs.keys), (mine.values, theirs.values)):
                new = _buffer(a, rows, capacity)
                new[: self.rows, :, : self.filled] = a[:, :, : self.filled]
                new[: self.rows, :, self.filled : filled] = 0  # holes of the shorter side
                new[self.rows :, :, : other.filled] = b[:, :, : other.filled]
                new[self.rows :, :, other.filled : filled] = 0
                merged.append(new)
            mine.keys, mine.values = merged
            mine.length = filled
        visible = torch.zeros((rows, capacity), dtype=torch.bool, device=self.device)
        visible[: self.rows, : self.filled] = self.visible[:, : self.filled]
        visible[self.rows :, : other.filled] = other.visible[:, : other.filled]
        self.visible, self.filled, self.capacity = visible, filled, capacity

    def select_rows(self, rows: list[int]) -> None:
        """Keep the rows listed, in that order: finished rows leave the batch (so passes stop computing
        them), and a row listed twice is copied (rows whose prompts are the same were prefilled once)."""
        index = torch.tensor(rows, dtype=torch.long, device=self.device)
        for layer in self.layers:
            moved = []
            for old in (layer.keys, layer.values):
                new = _buffer(old, len(rows), self.capacity)
                torch.index_select(old[:, :, : self.filled], 0, index, out=new[:, :, : self.filled])
                moved.append(new)
            layer.keys, layer.values = moved
        self.visible = self.visible.index_select(0, index)


def attend_rows(query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, mask: torch.Tensor,
                prefix_keys: torch.Tensor, prefix_values: torch.Tensor, scale: float,
                softcap: float | None = None) -> torch.Tensor:
    """Attention of a batch of rows over the shared prefix (one block [1, kv_heads, prefix, dim], read once
    for all rows) and each row's own columns (``key``/``value``, masked by ``mask`` [rows, 1, width,
    columns]), as one softmax joined by the two parts' maxima and sums. Returns [rows, heads, width, dim].

    Query heads are grouped by the key/value head they read (grouped-query attention), so no key or value
    is repeated per head. A query that sees nothing (padding) gets zeros. Scores are taken in float32, and
    capped at ``softcap * tanh(score / softcap)`` where the model does so (Gemma 2)."""
    rows, heads, width, dim = query.shape
    kv_heads = key.shape[1]
    group = heads // kv_heads
    q = query.float().reshape(rows, kv_heads, group * width, dim) * scale
    # [rows, kv_heads, group * width, columns]
    own = _capped(torch.matmul(q, key.float().transpose(-1, -2)), softcap)
    seen = mask[:, :, :, : own.shape[-1]]
    seen = seen.unsqueeze(2).expand(rows, seen.shape[1], group, width, seen.shape[-1])
    own = own.masked_fill(~seen.reshape(rows, -1, group * width, own.shape[-1]), float("-inf"))
    top = own.amax(-1, keepdim=True)
    has_prefix = prefix_keys.shape[2] > 0
    if has_prefix:
        keys, values = prefix_keys[0].float(), prefix_values[0].float()
        by_head = q.transpose(0, 1).reshape(kv_heads, rows * group * width, dim)
        # [kv_heads, rows * group * width, prefix]
        common = _capped(torch.matmul(by_head, keys.transpose(-1, -2)), softcap)
        common_top = common.amax(-1, keepdim=True).reshape(kv_heads, rows, group * width, 1).transpose(0, 1)
        top = torch.maximum(top, common_top)
    top = torch.where(torch.isfinite(top), top, torch.zeros_like(top))
    weights = torch.exp(own - top)
    total = weights.sum(-1, keepdim=True)
    out = torch.matmul(weights, value.float())  # [rows, kv_heads, group * width, dim]
    if has_prefix:
        common_weights = torch.exp(common - top.transpose(0, 1).reshape(kv_heads, rows * group * width, 1))
        total = total + common_weights.sum(-1, keepdim=True).reshape(kv_heads, rows, group * width, 1).transpose(0, 1)
        out = out + torch.matmul(common_weights, values).reshape(kv_heads, rows, group * width, dim).transpose(0, 1)
    out = out / total.clamp_min(torch.finfo(out.dtype).tiny)
    return out.reshape(rows, heads, width, dim).to(query.dtype)


def _capped(scores: torch.Tensor, softcap: float | None) -> torch.Tensor:
    return scores if not softcap else torch.tanh(scores / softcap) * softcap


def empty_prefix(layers: int, kv_heads: int, head_dim: int, dtype: torch.dtype, device: Any) -> Prefix:
    """The memory of an empty shared prefix: zero-length tensors with the right head shapes."""
    empty = torch.zeros((1, kv_heads, 0, head_dim), dtype=dtype, device=device)
    return [(empty, empty) for _ in range(layers)]


def _buffer(like: torch.Tensor, rows: int, capacity: int) -> torch.Tensor:
    """An uninitialised [rows, heads, capacity, head_dim] buffer shaped and typed like ``like``."""
    return torch.empty((rows, like.shape[1], capacity, like.shape[3]), dtype=like.dtype, device=like.device)
