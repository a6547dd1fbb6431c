"""Drawing tokens and candidates from a model's log-probabilities with a row's own uniform numbers.

Sampling is inverse-CDF with one uniform per decision, drawn from the row's stream: the same row makes the
same draw whatever batch it is in, and a few ulps of batch-dependent noise in the logits rarely move it.
Temperature and nucleus (top-p) apply as in free decoding, before any mask, so a mask only removes what
rejection of invalid output would have removed.
"""

from __future__ import annotations

import numpy as np
import torch

# the nucleus is searched among this many most likely tokens first (a full sort only when they fall short)
NUCLEUS_SEARCH = 512


def nucleus_probabilities(logp: torch.Tensor, temperature: float, top_p: float) -> torch.Tensor:
    """[n, V] probabilities after temperature and top-p (zeros outside the nucleus), not renormalised."""
    if temperature <= 0:
        best = logp.argmax(dim=-1, keepdim=True)
        return torch.zeros_like(logp).scatter_(-1, best, 1.0)
    probs = torch.softmax(logp.float() / temperature, dim=-1)
    if top_p >= 1.0:
        return probs
    k = min(NUCLEUS_SEARCH, probs.shape[-1])
    values, _ = probs.topk(k, dim=-1)
    covered = values.cumsum(-1)[:, -1] >= top_p
    if not bool(covered.all()):
        values, _ = probs.sort(dim=-1, descending=True)
    cumulative = values.cumsum(-1)
    inside = (cumulative - values) < top_p  # a token is kept when the mass strictly before it is under top_p
    threshold = torch.where(inside, values, torch.full_like(values, float("inf"))).min(dim=-1, keepdim=True).values
    return torch.where(probs >= threshold, probs, torch.zeros_like(probs))


def draw_tokens(
    logp: torch.Tensor, uniforms: np.ndarray, temperature: float, top_p: float, allowed: torch.Tensor | None = None
) -> list[int]:
    """One token per row of ``logp`` [n, V]; ``allowed`` [n, V] masks tokens (falls back to the whole
    masked distribution when the mask empties the nucleus).

    When the nucleus lies within the ``NUCLEUS_SEARCH`` most likely tokens (top-p below 1, the usual
    case), the draw walks those tokens only, in the same order as a full sort would, so the result is the
    one a walk over the whole vocabulary gives, at a fraction of the cost."""
    targets = np.asarray(uniforms, dtype=np.float64)
    if temperature > 0 and top_p < 1.0:
        probs = torch.softmax(logp.float() / temperature, dim=-1)
        k = min(NUCLEUS_SEARCH, probs.shape[-1])
        values, indices = probs.topk(k, dim=-1)
        cumulative = values.cumsum(-1)
        inside = (cumulative - values) < top_p
        if allowed is not None:
            inside &= allowed.gather(-1, indices)
        kept = torch.where(inside, values, torch.zeros_like(values)).double()
        # a row whose nucleus (or whose masked nucleus) is not within the search falls back, on its own
        fits = ((cumulative[:, -1] >= top_p) & (kept.sum(-1) > 0)).tolist()
        walk = kept.cumsum(-1)
        at = torch.from_numpy(targets).unsqueeze(-1) * walk[:, -1:]
        picked = torch.searchsorted(walk, at, right=True).squeeze(-1).clamp(max=k - 1)
        tokens = indices.gather(-1, picked.unsqueeze(-1)).squeeze(-1).tolist()
        if all(fits):
            return [int(t) for t in tokens]
        rest = [i for i, ok in enumerate(fits) if not ok]
        index = torch.tensor(rest)
        redrawn = _draw_full(logp[index], targets[rest], temperature, top_p,
                             None if allowed is None else allowed[index])
        for i, token in zip(rest, redrawn, strict=True):
            tokens[i] = token
        return [int(t) for t in tokens]
    return _draw_full(logp, targets, temperature, top_p, allowed)


def _draw_full(
    logp: torch.Tensor, targets: np.ndarray, temperature: float, top_p: float, allowed: torch.Tensor | None
) -> list[int]:
    """The draw over the whole vocabulary, in token-id order."""
    probs = nucleus_probabilities(logp, temperature, top_p)
    if allowed is not None:
        masked = probs * allowed
        empty = masked.sum(-1) <= 0
        if bool(empty.any()):
            full = nucleus_probabilities(logp[empty], temperature, 1.0) * allowed[empty]
            masked[empty] = full
        probs = masked
    cumulative = probs.double().cumsum(-1)
    total = cumulative[:, -1:]
    at = torch.from_numpy(targets).unsqueeze(-1) * total
    picked = torch.searchsorted(cumulative, at, right=True).squeeze(-1)
    picked = picked.clamp(max=probs.shape[-1] - 1)
    return [int(t) for t in picked.tolist()]


def step_log_probs(logp: torch.Tensor, temperature: float, top_p: float) -> torch.Tensor:
    """[n, V] log-probabilities of the next token as free sampling draws it: after temperature, renormalised
    within the nucleus (-inf outside). At temperature 0, the model's own log-probabilities (greedy decoding
    compares them)."""
    if temperature <= 0:
        return logp.float()
    probs = nucleus_probabilities(logp, temperature, top_p)
    return torch.log(probs / probs.sum(-1, keepdim=True))


def choose(log_scores: np.ndarray, uniform: float, temperature: float, factors: np.ndarray | None = None
           ) -> tuple[int, np.ndarray]:
    """Pick a candidate from summed log-probabilities; returns the index and the model's probabilities
    (before calibration factors). Greedy at temperature 0."""
    finite = np.isfinite(log_scores)
    if not finite.any():  # nothing in the nucleus: every candidate equally likely
        log_scores = np.zeros_like(log_scores)
        finite = np.ones_like(finite)
    shifted = np.where(finite, log_scores - log_scores[finite].max(), -np.inf)
    probs = np.exp(shifted)
    probs /= probs.sum()
    weighted = probs * factors if factors is not None else probs
    if weighted.sum() <= 0:
        weighted = probs
    if temperature <= 0:
        return int(np.argmax(weighted)), probs
    cumulative = np.cumsum(weighted / weighted.sum())
    index = int(np.searchsorted(cumulative, uniform * cumulative[-1], side="right"))
    return min(index, len(probs) - 1), probs
