"""A frame in one model's tokens: the text of every vocabulary entry, the masks text slots need, and the
token trie of each enumerable slot's candidates.

A candidate is scored as the canonical tokens of its value followed by the model's end of the value (see
``CandidateTrie``). Built once per (tokenizer, frame) and reused for every row of a run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from llmsynth.backends.frame import Frame, Slot
from llmsynth.backends.slot_values import NUMBER_CHARS, text_char_ok


class Vocabulary:
    """Each token's text, plus per-token flags as numpy arrays (converted to tensors by the decoder)."""

    def __init__(self, tokenizer: Any, size: int) -> None:
        self.tokenizer = tokenizer
        self.size = size
        texts = [""] * size
        for token_id in range(min(size, len(tokenizer))):
            texts[token_id] = tokenizer.decode([token_id])
        special = set(getattr(tokenizer, "all_special_ids", []) or [])
        for token_id in special:
            if token_id < size:
                texts[token_id] = "\ufffd"  # never part of a value
        self.texts = texts
        self.lengths = np.array([len(t) for t in texts], dtype=np.int64)
        self.plain_text = np.array([bool(t) and '"' not in t and text_char_ok(t) for t in texts], dtype=bool)
        self.numeric = np.array([bool(t) and set(t) <= NUMBER_CHARS for t in texts], dtype=bool)
        self._closers: dict[str, np.ndarray] = {}
        self._number_closers: dict[str, np.ndarray] = {}

    def encode(self, text: str) -> list[int]:
        """Canonical token ids of a text, without special tokens."""
        ids: list[int] = self.tokenizer.encode(text, add_special_tokens=False)
        return ids

    def text_closers(self, closer: str) -> np.ndarray:
        """Tokens that end a text value: clean text, then a start of the closer (which begins with a quote)."""
        if closer not in self._closers:
            ok = np.zeros(self.size, dtype=bool)
            for token_id, text in enumerate(self.texts):
                quote = text.find('"')
                if quote >= 0 and text_char_ok(text[:quote]) and closer.startswith(text[quote:]):
                    ok[token_id] = True
            self._closers[closer] = ok
        return self._closers[closer]

    def number_closers(self, closer: str) -> np.ndarray:
        """Tokens that may end a number: number characters, then a start of the closer."""
        if closer not in self._number_closers:
            ok = np.zeros(self.size, dtype=bool)
            for token_id, text in enumerate(self.texts):
                rest = text.lstrip("-0123456789.")
                if rest and closer.startswith(rest):
                    ok[token_id] = True
            self._number_closers[closer] = ok
        return self._number_closers[closer]

    def starting_with(self, prefix: str) -> np.ndarray:
        """Tokens whose text starts with ``prefix`` (any token when it is empty)."""
        return np.array([t.startswith(prefix) and t != "\ufffd" for t in self.texts], dtype=bool)


@dataclass
class CandidateTrie:
    """The candidates of an enum slot as a token trie.

    A candidate's probability is that of its value's canonical tokens followed by the end of the value: a
    token that starts with the closer's first character (the closing quote, or the comma or brace after a bare
    value). Every spelling of that end counts (``","``, ``",`` then ``"age"``, ``", "``), since the frame
    writes its own closer whatever the model's formatting. ``nodes`` are the tokens fed to the model (every
    token of every candidate); a candidate's log-probability sums, for each of its tokens, the model's
    log-probability at its parent (the slot's start, -1, or a node), plus the log of the end's mass at its
    last node.
    """

    tokens: list[int] = field(default_factory=list)  # token fed at each node
    parents: list[int] = field(default_factory=list)  # parent node of each node (-1: the slot start)
    depths: list[int] = field(default_factory=list)
    paths: list[list[tuple[int, int]]] = field(default_factory=list)  # per candidate: (parent node, token)
    leaf_nodes: list[list[int]] = field(default_factory=list)  # per candidate: its nodes, root to last
    closer: list[int] = field(default_factory=list)  # the fixed tokens written after the chosen value
    ends: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # tokens that end a value
    # for sampling by rejection: every prefix of a path, each whole path's candidate, the possible first tokens
    prefixes: set[tuple[int, ...]] = field(default_factory=set)
    whole: dict[tuple[int, ...], int] = field(default_factory=dict)
    first_tokens: list[int] = field(default_factory=list)
    first_mask: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # first_tokens over the vocab

    @property
    def size(self) -> int:
        """Nodes in the trie: the tokens a scoring pass feeds."""
        return len(self.tokens)

    def end_node(self, candidate: int) -> int:
        """The node whose next token ends the candidate (-1: the slot start, for an empty value)."""
        nodes = self.leaf_nodes[candidate]
        return nodes[-1] if nodes else -1


def build_trie(vocab: Vocabulary, slot: Slot) -> CandidateTrie:
    """The token trie of an enum slot's candidates, with the maps rejection sampling walks."""
    trie = CandidateTrie(closer=vocab.encode(slot.closer), ends=vocab.starting_with(slot.closer[:1]))
    index: dict[tuple[int, ...], int] = {}
    for number, candidate in enumerate(slot.candidates):
        path = vocab.encode(candidate) if candidate else []
        pairs: list[tuple[int, int]] = []
        nodes: list[int] = []
        parent = -1
        for depth, token in enumerate(path):
            pairs.append((parent, token))
            key = tuple(path[: depth + 1])
            if key not in index:
                index[key] = len(trie.tokens)
                trie.tokens.append(token)
                trie.parents.append(parent)
                trie.depths.append(depth)
            parent = index[key]
            nodes.append(parent)
            trie.prefixes.add(key)
        trie.paths.append(pairs)
        trie.leaf_nodes.append(nodes)
        trie.whole.setdefault(tuple(path), number)
    trie.first_tokens = sorted({pairs[0][1] for pairs in trie.paths if pairs})
    if () in trie.whole:  # an empty value ends at once
        trie.first_tokens = sorted({*trie.first_tokens, *np.flatnonzero(trie.ends).tolist()})
    trie.first_mask = np.zeros(vocab.size, dtype=bool)
    trie.first_mask[trie.first_tokens] = True
    return trie


@dataclass
class FrameTokens:
    """Everything token-level a frame needs, built once per run."""

    frame: Frame
    opening: list[int]
    tries: dict[int, CandidateTrie]  # slot index -> trie, for enum slots

    @classmethod
    def build(cls, vocab: Vocabulary, frame: Frame) -> FrameTokens:
        """Tokenise the frame's fixed text and build every enum slot's trie."""
        tries = {i: build_trie(vocab, s) for i, s in enumerate(frame.slots) if s.kind == "enum"}
        return cls(frame, vocab.encode(frame.opening), tries)
