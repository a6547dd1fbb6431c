"""Token draws: the nucleus walk over the most likely tokens samples the same law as the walk over the whole
vocabulary, a row's draw does not depend on the rows beside it, and candidates are picked from their
probabilities."""

from __future__ import annotations

import numpy as np
import torch

from llmsynth.backends.token_sampling import choose, draw_tokens, nucleus_probabilities, step_log_probs


def _law(logp: torch.Tensor, temperature: float, top_p: float, allowed: torch.Tensor) -> np.ndarray:
    probs = nucleus_probabilities(logp, temperature, top_p)[0] * allowed[0]
    return (probs / probs.sum()).double().numpy()


def test_draws_follow_the_masked_nucleus() -> None:
    generator = torch.Generator().manual_seed(0)
    logp = torch.log_softmax(torch.randn(1, 3000, generator=generator) * 2.5, -1)
    allowed = torch.rand(1, 3000, generator=generator) > 0.3
    draws = 30_000
    uniforms = np.random.default_rng(1).random(draws)
    tokens = draw_tokens(logp.repeat(draws, 1), uniforms, 0.8, 0.9, allowed.repeat(draws, 1))
    counts = np.bincount(tokens, minlength=3000) / draws
    law = _law(logp, 0.8, 0.9, allowed)
    assert counts[law == 0].sum() == 0  # nothing outside the masked nucleus
    assert 0.5 * np.abs(counts - law).sum() < 0.03


def test_a_rows_draw_does_not_depend_on_the_rows_beside_it() -> None:
    generator = torch.Generator().manual_seed(2)
    peaked = torch.log_softmax(torch.randn(3, 5000, generator=generator) * 4, -1)
    flat = torch.log_softmax(torch.zeros(2, 5000), -1)  # its nucleus is wider than the search: full walk
    uniforms = np.array([0.1, 0.5, 0.9, 0.3, 0.7])
    together = draw_tokens(torch.cat([peaked, flat]), uniforms, 1.0, 0.95)
    alone = [draw_tokens(row.unsqueeze(0), uniforms[i : i + 1], 1.0, 0.95)[0]
             for i, row in enumerate(torch.cat([peaked, flat]))]
    assert together == alone


def test_masked_rows_whose_nucleus_holds_no_allowed_token_draw_from_the_allowed_ones() -> None:
    logp = torch.log_softmax(torch.tensor([[8.0, 7.0, 0.0, 0.0, -1.0]]), -1)
    allowed = torch.tensor([[False, False, False, True, True]])
    tokens = {draw_tokens(logp, np.array([u]), 1.0, 0.9, allowed)[0] for u in np.linspace(0.01, 0.99, 25)}
    assert tokens == {3, 4}


def test_step_log_probs_renormalise_within_the_nucleus() -> None:
    logp = torch.log(torch.tensor([[0.5, 0.3, 0.15, 0.05]]))
    steps = step_log_probs(logp, 1.0, 0.7)
    np.testing.assert_allclose(steps.exp()[0].numpy(), [0.625, 0.375, 0.0, 0.0], atol=1e-6)


def test_choose_picks_by_probability_and_applies_factors() -> None:
    scores = np.log(np.array([0.2, 0.8]))
    assert choose(scores, 0.1, 1.0)[0] == 0
    assert choose(scores, 0.5, 1.0)[0] == 1
    pick, probs = choose(scores, 0.5, 1.0, factors=np.array([4.0, 1.0]))  # weighted 0.5 / 0.5
    np.testing.assert_allclose(probs, [0.2, 0.8])
    assert pick == 1
    assert choose(scores, 0.49, 1.0, factors=np.array([4.0, 1.0]))[0] == 0
