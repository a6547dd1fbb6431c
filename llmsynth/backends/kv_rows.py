"""Key/value memory of a batch of rows that advance independently.

Every forward pass appends the same number of columns to every row; a row that has fewer tokens to feed
leaves holes, which its attention mask hides. Position ids are explicit, so a row's tokens keep the
positions of a contiguous sequence whatever holes lie between them: a rejected attempt or an unchosen
candidate is removed by hiding its columns, never by copying memory.

The prompt prefix that all rows share is computed once and kept once: attention (``rows_attention``) reads
it as one block for the whole batch and merges it with each row's own columns (one softmax over both,
joined by their maxima and sums). Neither the memory nor the copies made when rows join or leave grow
with the prefix, and a pass reads the prefix's keys once instead of once per row.

The rows' buffers are preallocated and grow by doubling (transformers' dynamic cache concatenates, copying
the whole cache at every step). Columns past the filled ones are never read, so the buffers are allocated
uninitialised and moves copy only the filled columns; a hole among the filled columns is always written
(zeros or a padding token's keys), since a masked column still enters attention's product.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import torch
from transformers.cache_utils import Cache, DynamicLayer
from typing_extensions import override

ROWS_ATTENTION = "llmsynth_rows"
# the shared prefix's keys and values, one (keys, values) per layer, while a pass of ours runs
_PREFIX: ContextVar[list[tuple[torch.Tensor, torch.Tensor]] | None] = ContextVar("llmsynth_prefix", default=None)


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
    """The key/value buffers and visibility of a batch of rows over a shared prompt prefix (kept once).

    Columns are numbered from the start of the prompt: column ``prefix_length + i`` is the rows' buffer
    column ``i``; the prefix's columns are visible to every row."""

    def __init__(self, model: Any, prefix: list[tuple[torch.Tensor, torch.Tensor]], rows: int, room: int) -> None:
        if model.config._attn_implementation != ROWS_ATTENTION:
            use_rows_attention(model)
        self.model = model
        self.prefix = prefix
        self.prefix_length = prefix[0][0].shape[2] if prefix else 0
        capacity = max(room, 16)
        self.layers = [GrowingLayer(_buffer(keys, rows, capacity), _buffer(values, rows, capacity), 0)
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
            for old in (layer.key_buffer, layer.value_buffer):
                new = _buffer(old, old.shape[0], capacity)
                new[:, :, : self.filled] = old[:, :, : self.filled]
                grown.append(new)
            layer.set_buffers(grown[0], grown[1])
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
        cache = Cache(layers=list(self.layers))
        with torch.inference_mode(), _rows_attention(self.prefix):
            output = self.model.model(
                input_ids=ids.to(self.device),
                attention_mask=mask.to(self.device),
                position_ids=positions.to(self.device),
                past_key_values=cache,
                use_cache=True,
            )
        self.filled = start + width
        for row, feed in enumerate(feeds):
            for index, kept in enumerate(feed.keep):
                if kept:
                    self.visible[row, start + index] = True
        return output.last_hidden_state, self.prefix_length + start

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
            for a, b in ((mine.key_buffer, theirs.key_buffer), (mine.value_buffer, theirs.value_buffer)):
                new = _buffer(a, rows, capacity)
                new[: self.rows, :, : self.filled] = a[:, :, : self.filled]
                new[: self.rows, :, self.filled : filled] = 0  # holes of the shorter side
                new[self.rows :, :, : other.filled] = b[:, :, : other.filled]
                new[self.rows :, :, other.filled : filled] = 0
                merged.append(new)
            mine.set_buffers(merged[0], merged[1])
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
            for old in (layer.key_buffer, layer.value_buffer):
                new = _buffer(old, len(rows), self.capacity)
                torch.index_select(old[:, :, : self.filled], 0, index, out=new[:, :, : self.filled])
                moved.append(new)
            layer.set_buffers(moved[0], moved[1])
        self.visible = self.visible.index_select(0, index)


@contextlib.contextmanager
def _rows_attention(prefix: list[tuple[torch.Tensor, torch.Tensor]]) -> Iterator[None]:
    """Give ``rows_attention`` this prefix while one of our passes runs (in this thread only: a context
    variable, so decoders running at once in other threads keep their own)."""
    token = _PREFIX.set(prefix)
    try:
        yield
    finally:
        _PREFIX.reset(token)


def use_rows_attention(model: Any) -> None:
    """Make ``rows_attention`` the model's attention. Outside our passes it is transformers' SDPA attention,
    with SDPA's masks, so the model behaves as before for everything else (the shared prefix's own pass,
    free generation)."""
    from transformers import AttentionInterface
    from transformers.masking_utils import AttentionMaskInterface, sdpa_mask

    AttentionInterface.register(ROWS_ATTENTION, rows_attention)
    AttentionMaskInterface.register(ROWS_ATTENTION, sdpa_mask)
    model.config._attn_implementation = ROWS_ATTENTION


def rows_attention(module: Any, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                   attention_mask: torch.Tensor | None, scaling: float | None = None, dropout: float = 0.0,
                   **kwargs: Any) -> tuple[torch.Tensor, None]:
    """Attention of a batch of rows over the shared prefix (one block, read once for all rows) and each row's
    own columns (``key``/``value``, masked by ``attention_mask`` [rows, 1, width, columns]), as one softmax.

    Query heads are grouped by the key/value head they read (grouped-query attention), so no key or value
    is repeated per head. A query that sees nothing (padding) gets zeros. Scores are taken in float32."""
    shared = _PREFIX.get()
    if shared is None:  # not one of our passes
        from transformers.integrations.sdpa_attention import sdpa_attention_forward

        return sdpa_attention_forward(module, query, key, value, attention_mask, dropout=dropout, scaling=scaling,
                                      **kwargs)
    rows, heads, width, dim = query.shape
    kv_heads = key.shape[1]
    group = heads // kv_heads
    scale = scaling if scaling is not None else dim**-0.5
    q = query.float().reshape(rows, kv_heads, group * width, dim) * scale
    own = torch.matmul(q, key.float().transpose(-1, -2))  # [rows, kv_heads, group * width, columns]
    if attention_mask is not None:
        seen = attention_mask[:, :, :, : own.shape[-1]]
        seen = seen.unsqueeze(2).expand(rows, seen.shape[1], group, width, seen.shape[-1])
        own = own.masked_fill(~seen.reshape(rows, -1, group * width, own.shape[-1]), float("-inf"))
    top = own.amax(-1, keepdim=True)
    prefix_keys, prefix_values = shared[module.layer_idx]  # [1, kv_heads, prefix, dim]; the prefix may be empty
    has_prefix = prefix_keys.shape[2] > 0
    if has_prefix:
        keys, values = prefix_keys[0].float(), prefix_values[0].float()
        by_head = q.transpose(0, 1).reshape(kv_heads, rows * group * width, dim)
        common = torch.matmul(by_head, keys.transpose(-1, -2))  # [kv_heads, rows * group * width, prefix]
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
    out = out.reshape(rows, heads, width, dim).transpose(1, 2).to(query.dtype)
    return out, None


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
