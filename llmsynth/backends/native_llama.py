"""A Llama-family causal LM in plain torch, so that the default model loads without transformers' model code.

Importing transformers' model classes costs 3-5 s on a small CPU (they pull in ``torch._dynamo`` and
``torch.distributed.tensor``), more than loading the default model's weights; a preview of five rows
waited on it. This module is the whole forward pass of the Llama architecture (RMSNorm, rotary positions,
grouped-query attention, SiLU MLP) over the same safetensors weights and parameter names, for the two
passes our decoder runs: the shared prompt prefix (causal, one row) and the rows' own columns over it
(``kv_rows.attend_rows``). Configurations it does not cover exactly (other architectures, sliding
windows, other RoPE scalings, biases in the MLP) are left to transformers (``supports``).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import torch
from torch.nn import functional

from llmsynth.backends.kv_rows import LayerBuffers, Prefix, attend_rows, empty_prefix
from llmsynth.errors import ModelLoadError

ROPE_TYPES = ("default", "linear", "llama3")


def read_config(folder: Path) -> dict[str, Any]:
    """The folder's config.json as a dict ({} when there is none)."""
    try:
        loaded = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def rope_parameters(config: dict[str, Any]) -> dict[str, Any]:
    """RoPE settings in one dict, from transformers 5's ``rope_parameters`` or the older ``rope_theta`` and
    ``rope_scaling`` keys."""
    params = config.get("rope_parameters")
    if isinstance(params, dict) and "rope_theta" in params:
        merged = dict(params)
    else:
        merged = {"rope_theta": config.get("rope_theta", 10000.0), **(config.get("rope_scaling") or {})}
    merged["rope_type"] = merged.get("rope_type", merged.get("type", "default"))
    return merged


def supports(config: dict[str, Any]) -> str | None:
    """Why this module cannot run a model with this config exactly (None: it can)."""
    if config.get("model_type") != "llama":
        return f"model type {config.get('model_type')!r} is not llama"
    if config.get("hidden_act", "silu") != "silu":
        return f"activation {config['hidden_act']!r}"
    if config.get("mlp_bias"):
        return "biases in the MLP"
    if config.get("pretraining_tp", 1) != 1:
        return "pretraining_tp above 1"
    rope = rope_parameters(config)
    if rope["rope_type"] not in ROPE_TYPES or rope.get("partial_rotary_factor", 1.0) != 1.0:
        return f"RoPE {rope['rope_type']!r}"
    return None


class Linear:
    """``x @ weight.T (+ bias)``, over weights taken as they are (nothing to initialise). Stacking the
    projections of one input into one product (queries, keys, values; gate, up) measured slower here."""

    def __init__(self, weights: dict[str, torch.Tensor], name: str) -> None:
        self.weight = weights[f"{name}.weight"]
        self.bias = weights.get(f"{name}.bias")

    def __call__(self, hidden: torch.Tensor) -> torch.Tensor:
        """The projected hidden states."""
        return functional.linear(hidden, self.weight, self.bias)


class RMSNorm:
    """Root-mean-square norm, computed in float32 as the reference does."""

    def __init__(self, weights: dict[str, torch.Tensor], name: str, eps: float) -> None:
        self.weight = weights[f"{name}.weight"]
        self.eps = eps

    def __call__(self, hidden: torch.Tensor) -> torch.Tensor:
        """The normed hidden states, in their own dtype."""
        wide = hidden.float()
        wide = wide * torch.rsqrt(wide.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * wide.to(hidden.dtype)


class Attention:
    """Grouped-query self-attention with rotary positions."""

    def __init__(self, config: dict[str, Any], weights: dict[str, torch.Tensor], name: str, index: int) -> None:
        self.heads = int(config["num_attention_heads"])
        self.kv_heads = int(config.get("num_key_value_heads") or self.heads)
        self.head_dim = int(config.get("head_dim") or int(config["hidden_size"]) // self.heads)
        self.scale = self.head_dim**-0.5
        self.index = index
        self.q_proj, self.k_proj, self.v_proj, self.o_proj = (
            Linear(weights, f"{name}.{part}_proj") for part in "qkvo")

    def project(self, hidden: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Queries, keys and values [rows, heads, width, head_dim], queries and keys rotated."""
        rows, width, _ = hidden.shape
        q = self.q_proj(hidden).view(rows, width, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(hidden).view(rows, width, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(hidden).view(rows, width, self.kv_heads, self.head_dim).transpose(1, 2)
        cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)
        return q * cos + _rotate_half(q) * sin, k * cos + _rotate_half(k) * sin, v

    def output(self, attended: torch.Tensor) -> torch.Tensor:
        """Heads [rows, width, heads, head_dim] back to the hidden size."""
        rows, width = attended.shape[:2]
        return self.o_proj(attended.reshape(rows, width, self.heads * self.head_dim))


class MLP:
    """The gated SiLU feed-forward block."""

    def __init__(self, weights: dict[str, torch.Tensor], name: str) -> None:
        self.gate_proj, self.up_proj, self.down_proj = (
            Linear(weights, f"{name}.{part}_proj") for part in ("gate", "up", "down"))

    def __call__(self, hidden: torch.Tensor) -> torch.Tensor:
        """down(silu(gate(x)) * up(x))."""
        return self.down_proj(functional.silu(self.gate_proj(hidden)) * self.up_proj(hidden))


class DecoderLayer:
    """Attention then MLP, each behind a norm and around a residual."""

    def __init__(self, config: dict[str, Any], weights: dict[str, torch.Tensor], index: int) -> None:
        name, eps = f"model.layers.{index}", float(config.get("rms_norm_eps", 1e-6))
        self.self_attn = Attention(config, weights, f"{name}.self_attn", index)
        self.mlp = MLP(weights, f"{name}.mlp")
        self.input_layernorm = RMSNorm(weights, f"{name}.input_layernorm", eps)
        self.post_attention_layernorm = RMSNorm(weights, f"{name}.post_attention_layernorm", eps)


class NativeLlama:
    """The model over its weights, named as in transformers' Llama (so the same safetensors serve both).
    Plain objects over tensors rather than ``nn.Module``: nothing is initialised only to be overwritten."""

    def __init__(self, config: dict[str, Any], weights: dict[str, torch.Tensor]) -> None:
        self.config = SimpleNamespace(**config)  # read like transformers' config (vocab_size, num_hidden_layers, ...)
        eps = float(config.get("rms_norm_eps", 1e-6))
        self.embed_tokens = weights["model.embed_tokens.weight"]
        self.layers = [DecoderLayer(config, weights, i) for i in range(int(config["num_hidden_layers"]))]
        self.norm = RMSNorm(weights, "model.norm", eps)
        tied = config.get("tie_word_embeddings", False) or "lm_head.weight" not in weights
        self.lm_head = Linear({"lm_head.weight": self.embed_tokens} if tied else weights, "lm_head")
        attention = self.layers[0].self_attn
        self.kv_heads, self.head_dim = attention.kv_heads, attention.head_dim
        self.inv_freq = inverse_frequencies(config, self.head_dim).to(self.device)  # float32, as the reference

    @property
    def device(self) -> torch.device:
        """Where the weights are."""
        return self.embed_tokens.device

    @property
    def dtype(self) -> torch.dtype:
        """The weights' dtype."""
        return self.embed_tokens.dtype

    def _rotary(self, positions: torch.Tensor, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
        freqs = positions[..., None].float() * self.inv_freq
        angles = torch.cat((freqs, freqs), dim=-1)
        return angles.cos().to(dtype), angles.sin().to(dtype)

    def prefix_memory(self, tokens: list[int]) -> Prefix:
        """Keys and values of the shared prompt prefix (one row, causal attention)."""
        if not tokens:
            return empty_prefix(len(self.layers), self.kv_heads, self.head_dim, self.dtype, self.device)
        ids = torch.tensor([tokens], device=self.device)
        positions = torch.arange(len(tokens), device=self.device)[None]
        out: Prefix = []

        def attend(attention: Attention, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
            out.append((k, v))
            return functional.scaled_dot_product_attention(q, k, v, is_causal=True, scale=attention.scale,
                                                           enable_gqa=True)

        with torch.inference_mode():
            self._layers(ids, positions, attend)
        return out

    def forward_rows(self, ids: torch.Tensor, positions: torch.Tensor, mask: torch.Tensor,
                     layers: list[LayerBuffers], prefix: Prefix) -> torch.Tensor:
        """Hidden states [rows, width, hidden] of one pass of rows over the shared prefix and their own
        columns; each layer's new keys and values are appended to its buffers (``kv_rows.RowMemory``)."""

        def attend(attention: Attention, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
            keys, values = layers[attention.index].append(k, v)
            prefix_keys, prefix_values = prefix[attention.index]
            return attend_rows(q, keys, values, mask, prefix_keys, prefix_values, attention.scale)

        with torch.inference_mode():
            return self._layers(ids, positions, attend)

    def _layers(self, ids: torch.Tensor, positions: torch.Tensor, attend: Any) -> torch.Tensor:
        hidden = functional.embedding(ids, self.embed_tokens)
        cos, sin = self._rotary(positions, hidden.dtype)
        for layer in self.layers:
            attention = layer.self_attn
            q, k, v = attention.project(layer.input_layernorm(hidden), cos, sin)
            hidden = hidden + attention.output(attend(attention, q, k, v).transpose(1, 2))
            hidden = hidden + layer.mlp(layer.post_attention_layernorm(hidden))
        return self.norm(hidden)


def inverse_frequencies(config: dict[str, Any], head_dim: int) -> torch.Tensor:
    """RoPE's inverse frequencies for the config's RoPE type (default, linear, or Llama 3's smoothed)."""
    rope = rope_parameters(config)
    inv_freq = 1.0 / (float(rope["rope_theta"]) ** (torch.arange(0, head_dim, 2, dtype=torch.float) / head_dim))
    if rope["rope_type"] == "linear":
        return inv_freq / float(rope["factor"])
    if rope["rope_type"] != "llama3":
        return inv_freq
    factor, low, high = float(rope["factor"]), float(rope["low_freq_factor"]), float(rope["high_freq_factor"])
    context = float(rope["original_max_position_embeddings"])
    wavelength = 2 * math.pi / inv_freq
    scaled = torch.where(wavelength > context / low, inv_freq / factor, inv_freq)
    smooth = (context / wavelength - low) / (high - low)
    smoothed = (1 - smooth) * scaled / factor + smooth * scaled
    medium = (wavelength >= context / high) & (wavelength <= context / low)
    return torch.where(medium, smoothed, scaled)


def _rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def load_native(folder: Path, config: dict[str, Any], dtype: torch.dtype, device: str) -> NativeLlama:
    """The model over the folder's safetensors (one file or shards), in ``dtype`` on ``device``."""
    from safetensors.torch import load_file

    index = folder / "model.safetensors.index.json"
    if index.exists():
        shards = sorted(set(json.loads(index.read_text(encoding="utf-8"))["weight_map"].values()))
    else:
        shards = ["model.safetensors"]
    weights: dict[str, torch.Tensor] = {}
    for shard in shards:
        weights.update(load_file(folder / shard, device=device))
    weights = {name: tensor.to(dtype) for name, tensor in weights.items()}
    try:
        return NativeLlama(config, weights)
    except KeyError as exc:
        raise ModelLoadError(f"the weights in {folder} do not follow the Llama layout: {exc} is missing; "
                             "set the model's runtime to 'transformers'") from exc
