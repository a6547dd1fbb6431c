"""Any transformers causal LM driven over ``kv_rows``' row memory, for architectures our own forward
(``native_llama``) does not cover.

transformers' model code runs the pass; our attention (``rows_attention``, registered with its
``AttentionInterface``) reads the shared prefix as one block and the rows' own columns from our buffers.
Outside our passes it is the attention the model was loaded with (SDPA, or eager where the architecture
needs it, as Gemma 2 does for its score capping), so the model behaves as before for everything else.
What the architecture adds around attention is kept: attention score capping (``softcap``) in our passes,
final logit capping on the output head; a sliding window longer than any row's context is exact, and a
context that reaches past the window is refused rather than attended wrongly.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import torch
from transformers.cache_utils import Cache, DynamicLayer
from typing_extensions import override

from llmsynth.backends.kv_rows import LayerBuffers, Prefix, attend_rows, empty_prefix
from llmsynth.errors import GenerationError

ROWS_ATTENTION = "llmsynth_rows"
# the model config attribute that remembers the attention the model was loaded with (used outside our passes)
FALLBACK_ATTENTION = "llmsynth_fallback_attention"
# the shared prefix while a pass of ours runs (per thread: decoders in other threads keep their own)
_PREFIX: ContextVar[Prefix | None] = ContextVar("llmsynth_prefix", default=None)


class BufferLayer(DynamicLayer):
    """A transformers cache layer that writes into, and reads from, one layer of our buffers."""

    def __init__(self, buffers: LayerBuffers) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # transformers' layer is not annotated
        self.buffers = buffers
        self.keys, self.values = buffers.keys, buffers.values
        self.is_initialized = True
        self.device = buffers.keys.device

    @override
    def lazy_initialization(self, key_states: torch.Tensor, value_states: torch.Tensor) -> None:
        raise RuntimeError("BufferLayer buffers are allocated up front")

    @override
    def update(self, key_states: torch.Tensor, value_states: torch.Tensor, *args: Any, **kwargs: Any
               ) -> tuple[torch.Tensor, torch.Tensor]:
        return self.buffers.append(key_states, value_states)

    @override
    def get_mask_sizes(self, query_length: int) -> tuple[int, int]:
        return self.buffers.length + query_length, 0

    @override
    def get_seq_length(self) -> int:
        return self.buffers.length


class TransformersRows:
    """A transformers model as a ``kv_rows.RowsModel``."""

    def __init__(self, model: Any) -> None:
        self.model = model
        cap = getattr(model.config, "final_logit_softcapping", None)
        self.lm_head = model.lm_head if not cap else CappedHead(model.lm_head, float(cap))
        self.device = model.device
        if model.config._attn_implementation != ROWS_ATTENTION:
            use_rows_attention(model)

    def forward_rows(self, ids: torch.Tensor, positions: torch.Tensor, mask: torch.Tensor,
                     layers: list[LayerBuffers], prefix: Prefix) -> torch.Tensor:
        """Hidden states of one pass of rows (see ``RowsModel``)."""
        cache = Cache(layers=[BufferLayer(layer) for layer in layers])
        with torch.inference_mode(), _rows_attention(prefix):
            output = self.model.model(input_ids=ids, attention_mask=mask, position_ids=positions,
                                      past_key_values=cache, use_cache=True)
        hidden: torch.Tensor = output.last_hidden_state
        return hidden

    def prefix_memory(self, tokens: list[int]) -> Prefix:
        """Keys and values of the shared prompt prefix, computed once (one row)."""
        from transformers import DynamicCache

        config = self.model.config
        if not tokens:
            heads = int(getattr(config, "num_key_value_heads", None) or config.num_attention_heads)
            head_dim = int(getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads)
            return empty_prefix(int(config.num_hidden_layers), heads, head_dim, self.model.dtype, self.device)
        cache = DynamicCache(config=config)
        with torch.inference_mode():
            self.model.model(input_ids=torch.tensor([tokens], device=self.device), past_key_values=cache,
                             use_cache=True)
        return [(layer.keys, layer.values) for layer in cache.layers]  # type: ignore[union-attr,misc]


class CappedHead:
    """The output head with the model's final logit capping, ``cap * tanh(logits / cap)`` (Gemma 2), which
    transformers applies in the causal-LM wrapper our decoder bypasses."""

    def __init__(self, head: Any, cap: float) -> None:
        self.head, self.cap = head, cap

    def __call__(self, hidden: torch.Tensor) -> torch.Tensor:
        """Capped logits of hidden states."""
        return torch.tanh(self.head(hidden) / self.cap) * self.cap


@contextlib.contextmanager
def _rows_attention(prefix: Prefix) -> Iterator[None]:
    token = _PREFIX.set(prefix)
    try:
        yield
    finally:
        _PREFIX.reset(token)


def use_rows_attention(model: Any) -> None:
    """Make ``rows_attention`` the model's attention (with SDPA's masks)."""
    from transformers import AttentionInterface
    from transformers.masking_utils import AttentionMaskInterface, sdpa_mask

    AttentionInterface.register(ROWS_ATTENTION, rows_attention)
    AttentionMaskInterface.register(ROWS_ATTENTION, sdpa_mask)
    setattr(model.config, FALLBACK_ATTENTION, model.config._attn_implementation or "sdpa")
    model.config._attn_implementation = ROWS_ATTENTION


def rows_attention(module: Any, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                   attention_mask: torch.Tensor | None, scaling: float | None = None, dropout: float = 0.0,
                   **kwargs: Any) -> tuple[torch.Tensor, None]:
    """transformers' attention signature over ``kv_rows.attend_rows``; the model's own outside our passes."""
    shared = _PREFIX.get()
    if shared is None or attention_mask is None:  # not one of our passes
        return _loaded_attention(module, query, key, value, attention_mask, scaling, dropout, **kwargs)
    prefix_keys, prefix_values = shared[module.layer_idx]
    window = kwargs.get("sliding_window")
    context = prefix_keys.shape[2] + key.shape[2]
    if window is not None and context > window:
        raise GenerationError(
            f"a row's context of {context} tokens passes the model's sliding attention window of {window}, "
            "which the frame decoder does not apply; shorten the prompt or use `decoding: free`"
        )
    scale = scaling if scaling is not None else query.shape[-1] ** -0.5
    out = attend_rows(query, key, value, attention_mask, prefix_keys, prefix_values, scale, kwargs.get("softcap"))
    return out.transpose(1, 2), None


def _loaded_attention(module: Any, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                      attention_mask: torch.Tensor | None, scaling: float | None, dropout: float, **kwargs: Any
                      ) -> tuple[torch.Tensor, Any]:
    """The attention the model was loaded with. Masks are built as SDPA's (boolean, or None for plainly
    causal), so eager attention, which adds a float mask, gets one made from them."""
    name = getattr(module.config, FALLBACK_ATTENTION, "sdpa")
    if name != "eager":
        from transformers.modeling_utils import ALL_ATTENTION_FUNCTIONS

        attend = ALL_ATTENTION_FUNCTIONS[name]
        return attend(module, query, key, value, attention_mask, dropout=dropout, scaling=scaling, **kwargs)  # type: ignore[no-any-return]
    eager = sys.modules[type(module).__module__].eager_attention_forward  # the architecture's own eager code
    if attention_mask is None:  # causal: query i (of the last q) sees every key up to its own position
        queries, keys = query.shape[2], key.shape[2]
        attention_mask = torch.ones(queries, keys, dtype=torch.bool, device=query.device).tril(keys - queries)
    if attention_mask.dtype == torch.bool:
        blocked = torch.finfo(query.dtype).min
        attention_mask = torch.zeros(attention_mask.shape, dtype=query.dtype, device=query.device).masked_fill(
            ~attention_mask, blocked)
    return eager(module, query, key, value, attention_mask, dropout=dropout, scaling=scaling, **kwargs)  # type: ignore[no-any-return]
