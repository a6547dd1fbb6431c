"""The decoding loop: rows of one batch fill their frames slot by slot over a shared prompt prefix.

One mechanism serves speed and faithfulness:
- fixed text is fed, never sampled, several tokens per pass when the pass is wide;
- an enum slot is sampled exactly, in one of two ways: by rejection (the first token is drawn among the
  candidates' first tokens, each later token from the model's full distribution, and a token that leaves
  every candidate's path restarts the slot), which feeds only the tokens of the answer; or, when the row's
  probabilities are wanted (declared weights, ``--explain``, greedy decoding) or rejection keeps failing, by
  scoring: the candidates' token trie is fed in one pass (tree attention over the row's memory) and a
  whole candidate is drawn from the exact probabilities;
- a number (or date) slot samples from the model's full distribution and redraws when the value cannot be
  valid (rejection sampling; after ``MAX_REJECTIONS`` redraws it falls back to masking, and counts it);
- a text slot samples under a character mask and ends at a word boundary when it would pass its limit.
Rows draw their random numbers from their own streams, so a row's answer does not depend on its batch.
Finished rows leave the batch, so late passes compute only the rows still writing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import torch

from llmsynth.backends.frame import Frame, Slot
from llmsynth.backends.frame_tokens import FrameTokens, Vocabulary
from llmsynth.backends.kv_rows import Feed, RowMemory
from llmsynth.backends.slot_values import (
    cut_at_boundary,
    date_complete,
    date_feasible,
    number_complete,
    number_end,
    number_feasible,
)
from llmsynth.backends.token_sampling import choose, draw_tokens, nucleus_probabilities, step_log_probs

# redraws of one slot before it falls back to masked decoding (exact below it, approximate after)
MAX_REJECTIONS = 8
# redraws of an enum slot before it is scored instead (both exact; scoring costs the whole trie)
MAX_ENUM_REJECTIONS = 3
# masked redraws after that before the slot is given up (the row then fails validation and is regenerated)
MASKED_ATTEMPTS = 8
# a pass feeds whole queues and candidate tries when at least this share of the rows waits for one
WIDE_PASS_SHARE = 0.5
# a pass costs about as much as this many positions before it computes any (reading every weight once): on
# the 2-core CPU a pass of one row took 59 ms, of 5 rows 93 ms, and each further position about 2.5 ms
PASS_COST_POSITIONS = 32
# finished rows are dropped from the batch once they are this share of it
COMPACT_SHARE = 0.25
# new rows join the batch when the rows still writing fall to this share of the batch size
REFILL_SHARE = 0.5
# a batch whose memory has grown this many columns past the prefix takes no new rows (attention cost)
MAX_BATCH_COLUMNS = 512


@dataclass
class RowJob:
    """One row to answer: its prompt tokens after the shared prefix and its own random stream."""

    suffix: list[int]
    rng: np.random.Generator
    score_enums: bool = True  # record each enum slot's candidate probabilities (scoring rather than rejection)


@dataclass
class RowAnswer:
    """A finished (or, in a probe, stopped) row."""

    text: str = ""
    values: list[str] = field(default_factory=list)
    probabilities: dict[str, np.ndarray] = field(default_factory=dict)
    rejections: int = 0
    approximate: int = 0
    cut: int = 0
    tokens: int = 0
    complete: bool = False


@dataclass
class _Row:
    job: int
    slots: int
    queue: list[tuple[int, int | None]] = field(default_factory=list)  # (token, value chars so far or None)
    slot: int = 0
    text: str = ""
    columns: list[tuple[int, int]] = field(default_factory=list)  # (column, value chars) of the slot's tokens
    start_position: int = 0
    position: int = 0
    start_logp: torch.Tensor | None = None
    last: torch.Tensor | None = None
    attempts: int = 0
    fallback: bool = False
    enum_path: list[int] = field(default_factory=list)  # tokens of the enum candidate drawn so far
    scoring: bool = False  # this enum slot is scored (its rejections ran out)
    done: bool = False
    values: list[str] = field(default_factory=list)
    answer: RowAnswer = field(default_factory=RowAnswer)

    def twin(self, job: int) -> _Row:
        """This row's state for another job whose prompt is the same (its memory columns are copied too);
        the twin fed no tokens itself, and draws from its own job's stream."""
        return replace(self, job=job, queue=list(self.queue), columns=list(self.columns),
                       enum_path=list(self.enum_path), values=list(self.values), answer=RowAnswer())


class FrameDecoder:
    """Decodes frames with one model; built once per backend, reused for every call."""

    def __init__(self, model: Any, vocab: Vocabulary) -> None:
        self.model = model
        self.vocab = vocab
        self.device = model.device
        self._plain = torch.from_numpy(vocab.plain_text)
        self._numeric = np.flatnonzero(vocab.numeric)
        self._encoded: dict[str, list[int]] = {}
        self._text_masks: dict[str, torch.Tensor] = {}
        self._everything = torch.ones(vocab.size, dtype=torch.bool)

    def encode(self, text: str) -> list[int]:
        """Token ids of a fixed text, cached: the same closers and keys recur in every row."""
        if text not in self._encoded:
            self._encoded[text] = self.vocab.encode(text) if text else []
        return self._encoded[text]

    def run(
        self,
        prefix: list[tuple[torch.Tensor, torch.Tensor]],
        prefix_length: int,
        jobs: list[RowJob],
        tokens: FrameTokens,
        *,
        batch_size: int,
        temperature: float,
        top_p: float,
        factors: dict[int, np.ndarray] | None = None,
        stop_slot: int | None = None,
    ) -> list[RowAnswer]:
        """Answer every job, ``batch_size`` rows at a time; rows join as others finish (continuous batching).
        ``stop_slot`` stops each row at that enum slot, with its probabilities."""
        self.tokens, self.frame = tokens, tokens.frame
        self.temperature, self.top_p = temperature, top_p
        self.factors = factors or {}
        self.stop_slot = stop_slot
        self.jobs = jobs
        self.prefix, self.prefix_length = prefix, prefix_length
        waiting = list(range(len(jobs)))
        answers: list[RowAnswer | None] = [None] * len(jobs)
        rows: list[_Row] = []
        memory: RowMemory | None = None
        while rows or waiting:
            active = sum(not r.done for r in rows)
            if waiting and active <= REFILL_SHARE * batch_size and (memory is None or self._room_left(memory)):
                joining = waiting[: batch_size - active]
                waiting = waiting[len(joining) :]
                memory, rows = self._join(memory, rows, joining, answers)
            elif memory is None or not rows:  # the memory grew too long: start a fresh batch
                memory, rows = None, []
                continue
            else:
                self._pass(memory, rows, wide=self._wide(rows))
            finished = [i for i, r in enumerate(rows) if r.done]
            if finished and (len(finished) >= max(1, int(COMPACT_SHARE * len(rows))) or not waiting):
                memory, rows = self._drop(memory, rows, answers)
        return [a or RowAnswer() for a in answers]

    def _room_left(self, memory: RowMemory) -> bool:
        return memory.length - self.prefix_length < MAX_BATCH_COLUMNS

    def _join(self, memory: RowMemory | None, rows: list[_Row], joining: list[int],
              answers: list[RowAnswer | None]) -> tuple[RowMemory, list[_Row]]:
        """Prefill the joining rows in a pass of their own, then merge them into the running batch."""
        fresh_memory, fresh = self._prefill(joining)
        if memory is None or not rows:
            return fresh_memory, fresh
        memory, rows = self._drop(memory, rows, answers)
        if not rows:
            return fresh_memory, fresh
        memory.absorb(fresh_memory)
        return memory, rows + fresh

    def _prefill(self, joining: list[int]) -> tuple[RowMemory, list[_Row]]:
        """Feed the joining rows' prompt suffixes and frame openings, and make their first decisions.

        Rows whose prompts are the same (a prompt that reads only a categorical column, a repeated number)
        are fed once: the first of them is computed and its memory copied into the others, which then draw
        from their own streams. Their candidate tries wait for the next pass, since each row chooses its own
        candidate there."""
        slots = len(self.frame.slots)
        fresh = [_Row(job=j, slots=slots, values=[""] * slots, position=self.prefix_length) for j in joining]
        for row in fresh:
            row.queue = [(t, None) for t in [*self.jobs[row.job].suffix, *self.tokens.opening]]
        room = max(len(r.queue) for r in fresh) + 64
        first_of: dict[tuple[int, ...], int] = {}
        lead = [first_of.setdefault(tuple(t for t, _ in row.queue), i) for i, row in enumerate(fresh)]
        leads = sorted(first_of.values())
        if len(leads) == len(fresh):
            fresh_memory = RowMemory(self.model, self.prefix, len(fresh), room)
            self._pass(fresh_memory, fresh, wide=True)
            return fresh_memory, fresh
        fresh_memory = RowMemory(self.model, self.prefix, len(leads), room)
        deciding = self._pass(fresh_memory, [fresh[i] for i in leads], wide=True, tries=False, decide=False)
        place = {index: k for k, index in enumerate(leads)}
        fresh_memory.select_rows([place[lead[i]] for i in range(len(fresh))])
        fresh = [row if lead[i] == i else fresh[lead[i]].twin(row.job) for i, row in enumerate(fresh)]
        decided = {leads[k] for k in deciding}
        decisions = [i for i in range(len(fresh)) if lead[i] in decided]
        if decisions:
            self._decide(fresh_memory, fresh, decisions)
        return fresh_memory, fresh

    def _drop(self, memory: RowMemory, rows: list[_Row], answers: list[RowAnswer | None]
              ) -> tuple[RowMemory, list[_Row]]:
        """Record finished rows and remove them from the batch."""
        keep = []
        for i, row in enumerate(rows):
            if row.done:
                answers[row.job] = self._answer(row)
            else:
                keep.append(i)
        if keep and len(keep) < len(rows):
            memory.select_rows(keep)
        return memory, [rows[i] for i in keep]

    # -- scheduling -------------------------------------------------------------------------------------------

    def _at_trie(self, row: _Row) -> bool:
        """The row stands at an enum slot it scores (feeding the candidate trie)."""
        if row.done or row.slot >= row.slots or self.frame.slots[row.slot].kind != "enum":
            return False
        return (row.scoring or self.jobs[row.job].score_enums or self.temperature <= 0
                or row.slot in self.factors or row.slot == self.stop_slot)

    def _wide(self, rows: list[_Row]) -> bool:
        """Feed whole queues and tries in this pass: when enough rows wait at a trie, or when the padding
        a wide pass adds (every row padded to the widest feed) costs less than the passes it saves (a
        small batch, where a pass costs its weights more than its positions)."""
        active = [r for r in rows if not r.done]
        waiting = [r for r in active if self._at_trie(r)]
        movable = [r for r in active if r.queue and not self._at_trie(r)]
        if waiting and (len(waiting) >= WIDE_PASS_SHARE * len(active) or not movable):
            return True
        width = max((self._feed_width(r) for r in active), default=1)
        return width > 1 and (width - 1) * len(rows) <= PASS_COST_POSITIONS

    def _feed_width(self, row: _Row) -> int:
        """Tokens a row feeds in a wide pass: its queue, and its candidate trie when it scores one."""
        trie = len(self.tokens.tries[row.slot].tokens) if self._at_trie(row) else 0
        return len(row.queue) + trie

    def _pass(self, memory: RowMemory, rows: list[_Row], *, wide: bool, tries: bool = True,
              decide: bool = True) -> list[int]:
        """Feed each row its queue (all of it when ``wide``, else one token) and, when ``wide`` and ``tries``,
        the candidate trie it scores; then choose candidates and, when ``decide``, draw the next tokens.
        Returns the rows that stand before a draw (drawn already when ``decide``)."""
        feeds: list[Feed] = []
        tree_nodes: dict[int, list[int]] = {}  # row -> feed index of each trie node
        for index, row in enumerate(rows):
            feed = Feed()
            if not row.done:
                queue = row.queue if wide else row.queue[:1]
                feed.chain_text([token for token, _ in queue], row.position)
                if wide and tries and self._at_trie(row):
                    trie = self.tokens.tries[row.slot]
                    base = row.position + len(queue)
                    nodes: list[int] = []
                    for token, parent, depth in zip(trie.tokens, trie.parents, trie.depths, strict=True):
                        ancestors = _ancestors(parent, trie.parents, nodes)
                        nodes.append(feed.node(token, base + depth, ancestors))
                    tree_nodes[index] = nodes
            feeds.append(feed)
        if not any(f.tokens for f in feeds):
            return []
        hidden, start = memory.forward(feeds)
        # which outputs need next-token log-probabilities: a row's last chain token when its queue empties,
        # and every trie node
        wanted: list[tuple[int, int]] = []
        for index, (row, feed) in enumerate(zip(rows, feeds, strict=True)):
            chain = sum(feed.keep)
            if chain and chain == len(row.queue):  # the queue empties: the row decides next
                wanted.append((index, chain - 1))
            wanted.extend((index, node) for node in tree_nodes.get(index, []))
        logp = self._log_probs(hidden, wanted)
        where = {key: i for i, key in enumerate(wanted)}
        decisions: list[int] = []
        for index, (row, feed) in enumerate(zip(rows, feeds, strict=True)):
            if row.done:
                continue
            chain = sum(feed.keep)
            fed = row.queue[:chain]
            row.queue = row.queue[chain:]
            for offset, (_, chars) in enumerate(fed):
                if chars is not None:
                    row.columns.append((start + offset, chars))
            row.position += chain
            row.answer.tokens += chain + len(tree_nodes.get(index, []))
            last = logp[where[(index, chain - 1)]] if (index, chain - 1) in where else None
            if index in tree_nodes:
                root = last if last is not None else row.start_logp
                assert root is not None
                self._choose(memory, index, row, root, tree_nodes[index], start, logp, where)
            elif not row.queue and last is not None:
                if self._at_trie(row):
                    row.start_logp = last
                    continue
                if not row.text and not row.columns:  # the first decision of this slot
                    row.start_logp, row.start_position = last, row.position
                row.last = last
                decisions.append(index)
        if decisions and decide:
            self._decide(memory, rows, decisions)
        return decisions

    def _log_probs(self, hidden: torch.Tensor, wanted: list[tuple[int, int]]) -> torch.Tensor:
        if not wanted:
            return torch.empty(0)
        rows = torch.tensor([r for r, _ in wanted], device=hidden.device)
        cols = torch.tensor([c for _, c in wanted], device=hidden.device)
        with torch.inference_mode():
            logits = self.model.lm_head(hidden[rows, cols])
        return torch.log_softmax(logits.float(), dim=-1).cpu()

    # -- enum slots ---------------------------------------------------------------------------------------------

    def _choose(self, memory: RowMemory, index: int, row: _Row, root: torch.Tensor, nodes: list[int],
                start: int, logp: torch.Tensor, where: dict[tuple[int, int], int]) -> None:
        slot_index = row.slot
        slot = self.frame.slots[slot_index]
        trie = self.tokens.tries[slot_index]
        # the next-token distribution at the slot's start (row 0) and after every node (row 1 + node)
        at = torch.stack([root, *(logp[where[(index, node)]] for node in nodes)])
        steps = step_log_probs(at, self.temperature, self.top_p)
        ends = torch.logsumexp(steps.masked_fill(~self._ends(slot_index), float("-inf")), dim=-1).double()
        scores = np.zeros(len(trie.paths))
        for candidate, path in enumerate(trie.paths):
            tokens = sum(float(steps[parent + 1, token]) for parent, token in path)
            scores[candidate] = tokens + float(ends[trie.end_node(candidate) + 1])
        uniform = float(self.jobs[row.job].rng.random())
        pick, probs = choose(scores, uniform, self.temperature, self.factors.get(slot_index))
        row.answer.probabilities[slot.name] = probs
        row.start_logp = None
        if self.stop_slot == slot_index:
            row.done = True
            return
        chosen = trie.leaf_nodes[pick]
        memory.show(index, [start + nodes[n] for n in chosen])
        row.position += len(chosen)
        self._finish_slot(row, slot.candidates[pick], trie.closer)

    def _finish_slot(self, row: _Row, value: str, forced: list[int]) -> None:
        row.values[row.slot] = value
        row.slot += 1
        row.text, row.columns, row.attempts, row.fallback, row.start_logp = "", [], 0, False, None
        row.enum_path, row.scoring = [], False
        if row.slot >= row.slots:
            row.done, row.answer.complete = True, True
            return
        row.queue = [(t, None) for t in forced]

    # -- decoded slots ------------------------------------------------------------------------------------------

    def _decide(self, memory: RowMemory, rows: list[_Row], decisions: list[int]) -> None:
        logps = torch.stack([rows[i].last for i in decisions])  # type: ignore[misc]
        masks = torch.stack([self._mask(rows[i], logps[k]) for k, i in enumerate(decisions)])
        uniforms = np.array([self.jobs[rows[i].job].rng.random() for i in decisions])
        tokens = draw_tokens(logps, uniforms, self.temperature, self.top_p, masks)
        for index, token in zip(decisions, tokens, strict=True):
            row = rows[index]
            while not self._take(memory, index, row, token):
                # rejected: the slot starts again from its first token's distribution
                assert row.start_logp is not None
                if row.attempts > MAX_REJECTIONS + MASKED_ATTEMPTS:  # not even masking finds a valid value
                    self._give_up(row)
                    break
                mask = self._mask(row, row.start_logp).unsqueeze(0)
                uniform = np.array([self.jobs[row.job].rng.random()])
                token = draw_tokens(row.start_logp.unsqueeze(0), uniform, self.temperature, self.top_p, mask)[0]

    def _give_up(self, row: _Row) -> None:
        """End a slot no draw could fill with a value the row validator will refuse, so the row is redone."""
        slot = self.frame.slots[row.slot]
        self._finish_slot(row, "null", self.encode(slot.closer))

    def _mask(self, row: _Row, logp: torch.Tensor) -> torch.Tensor:
        slot = self.frame.slots[row.slot]
        if slot.kind == "enum":  # a candidate's first token, then anything (a token off every path is rejected)
            return self._everything if row.enum_path else self._first_tokens(row.slot)
        if slot.kind == "text" and slot.schema.type != "date":
            if len(row.text) < (slot.schema.min_length or 0):
                return self._plain
            if slot.closer not in self._text_masks:
                self._text_masks[slot.closer] = self._plain | torch.from_numpy(self.vocab.text_closers(slot.closer))
            return self._text_masks[slot.closer]
        if not row.fallback:
            return self._everything
        return self._fallback_mask(row, slot, logp)

    def _first_tokens(self, slot: int) -> torch.Tensor:
        """The tokens a candidate of this frame's enum slot may start with (shares the trie's memory)."""
        return torch.from_numpy(self.tokens.tries[slot].first_mask)

    def _ends(self, slot: int) -> torch.Tensor:
        """The tokens that end a value of this frame's enum slot (shares the trie's memory)."""
        return torch.from_numpy(self.tokens.tries[slot].ends)

    def _fallback_mask(self, row: _Row, slot: Slot, logp: torch.Tensor) -> torch.Tensor:
        """Tokens that keep a number or date valid (used once rejection gave up on this slot)."""
        vocab = self.vocab
        closers = vocab.number_closers(slot.closer) if slot.kind == "number" else vocab.text_closers(slot.closer)
        candidates = np.union1d(self._numeric, np.flatnonzero(closers))
        probs = nucleus_probabilities(logp.unsqueeze(0), max(self.temperature, 1e-3), 1.0)[0]
        allowed = torch.zeros(self.vocab.size, dtype=torch.bool)
        for token in candidates:
            if probs[token] > 0 and self._valid_step(row, slot, self.vocab.texts[token]) is not None:
                allowed[token] = True
        return allowed

    def _valid_step(self, row: _Row, slot: Slot, piece: str) -> tuple[str, str] | None:
        """For a checked slot: (value, closing text) when the piece ends a valid value, ('', '') when the value
        may still become valid, None when it cannot."""
        text = row.text + piece
        if slot.schema.type == "date":
            end = text.find('"')
            if end < 0:
                return ("", "") if date_feasible(text) else None
            value, tail = text[:end], text[end:]
            return (value, tail) if date_complete(value) and slot.closer.startswith(tail) else None
        end_at = number_end(text, slot.schema.type == "integer")
        if end_at is None:
            return ("", "") if number_feasible(text, slot.schema) else None
        value, tail = text[:end_at], text[end_at:]
        return (value, tail) if number_complete(value, slot.schema) and slot.closer.startswith(tail) else None

    def _take(self, memory: RowMemory, index: int, row: _Row, token: int) -> bool:
        """Apply a drawn token to the row's slot; False when it makes the slot invalid (a rejection)."""
        slot = self.frame.slots[row.slot]
        if slot.kind == "enum":
            return self._take_enum(memory, index, row, token)
        piece = self.vocab.texts[token]
        if slot.kind == "text" and slot.schema.type != "date":
            return self._take_text(memory, index, row, slot, token, piece)
        step = self._valid_step(row, slot, piece)
        if step is None:
            self._reject(memory, index, row)
            return False
        value, tail = step
        if not tail:
            row.text += piece
            row.queue = [(token, len(row.text))]
            return True
        self._finish_slot(row, value, [token, *self.encode(slot.closer[len(tail):])])
        return True

    def _take_enum(self, memory: RowMemory, index: int, row: _Row, token: int) -> bool:
        """Extend the drawn candidate, or end it when the token ends a value after a whole candidate; a token
        that does neither rejects the draw (after a few, the slot is scored instead: the row then waits for a
        trie pass from the slot's start). The drawn end token is not fed: the frame's closer is."""
        trie = self.tokens.tries[row.slot]
        so_far = tuple(row.enum_path)
        if so_far in trie.whole and bool(trie.ends[token]):
            self._finish_slot(row, self.frame.slots[row.slot].candidates[trie.whole[so_far]], trie.closer)
            return True
        if (*so_far, token) in trie.prefixes:
            row.enum_path.append(token)
            row.queue = [(token, len(row.enum_path))]
            return True
        self._reject(memory, index, row)
        row.enum_path = []
        if row.attempts <= MAX_ENUM_REJECTIONS:
            return False
        row.scoring, row.queue = True, []
        return True

    def _take_text(self, memory: RowMemory, index: int, row: _Row, slot: Slot, token: int, piece: str) -> bool:
        quote = piece.find('"')
        text = row.text + (piece[:quote] if quote >= 0 else piece)
        limit = slot.schema.max_length
        if limit is not None and len(text) > limit:  # past the limit, whether or not the token also ends it
            self._cut(memory, index, row, slot, text, limit)
            return True
        if quote >= 0:
            if slot.schema.pattern and not row.fallback and not re.fullmatch(slot.schema.pattern, text):
                self._reject(memory, index, row)
                return False
            self._finish_slot(row, text, [token, *self.encode(slot.closer[len(piece) - quote:])])
            return True
        row.text = text
        row.queue = [(token, len(text))]
        return True

    def _cut(self, memory: RowMemory, index: int, row: _Row, slot: Slot, text: str, limit: int) -> None:
        """End the text at the last boundary within the limit; tokens beyond it leave the row's memory."""
        kept = cut_at_boundary(text, limit)
        hidden = [c for c, chars in row.columns if chars > len(kept)]
        kept_columns = [(c, chars) for c, chars in row.columns if chars <= len(kept)]
        memory.hide(index, hidden)
        row.position -= len(hidden)
        written = kept_columns[-1][1] if kept_columns else 0
        row.answer.cut += 1
        self._finish_slot(row, kept, self.encode(kept[written:] + slot.closer))

    def _reject(self, memory: RowMemory, index: int, row: _Row) -> None:
        memory.hide(index, [c for c, _ in row.columns])
        row.position = row.start_position
        row.text, row.columns = "", []
        row.attempts += 1
        row.answer.rejections += 1
        if row.attempts > MAX_REJECTIONS and not row.fallback:
            row.fallback = True
            row.answer.approximate += 1

    def _answer(self, row: _Row) -> RowAnswer:
        answer = row.answer
        answer.values = list(row.values)
        if answer.complete:
            answer.text = self.frame.render(row.values)
        return answer


def _ancestors(parent: int, parents: list[int], nodes: list[int]) -> list[int]:
    """Feed indices of a trie node's ancestors (nodes are fed in creation order, parents first)."""
    chain: list[int] = []
    while parent >= 0:
        chain.append(nodes[parent])
        parent = parents[parent]
    return chain


def frame_room(frame: Frame) -> int:
    """A first guess of the columns a row's answer needs beyond its prompt (the buffers grow if not)."""
    return 16 + sum(8 + (s.schema.max_length or 16) // 2 for s in frame.slots)
