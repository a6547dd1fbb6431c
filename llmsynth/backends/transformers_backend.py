"""A local Hugging Face model (safetensors or GGUF): frames filled by our decoder, free text by ``generate``.

Frames (``fill_frames``) run on the loaded model: llmsynth's own forward for Llama-family models
(``native_llama.py``), transformers' model code for the rest (``hf_rows.py``). Free generation calls
transformers' ``model.generate`` directly (rather than Outlines' ``Generator``) to control what Outlines does
not expose: sorting prompts by length so padding is small, seeding each batch, counting tokens,
halving the batch on CUDA out-of-memory. The grammar processor itself comes from ``grammar.py``.
"""

from __future__ import annotations

import os
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel

from llmsynth.backends.base import Message, Usage, plain_chat
from llmsynth.backends.frame import Frame
from llmsynth.backends.frame_decoder import RowAnswer, RowJob
from llmsynth.backends.frame_tokens import FrameTokens
from llmsynth.backends.grammar import GrammarCache
from llmsynth.backends.prefix_store import PrefixStore, model_identity, store_folder
from llmsynth.errors import GenerationError
from llmsynth.models.loading import LoadedModel, load_model
from llmsynth.spec.model import ModelConfig

# a lane of the CPU decoder needs at least this many rows to be worth its own thread
MIN_LANE_ROWS = 4
# measured on a 2-core CPU with the default model (benchmarks/bench_llm.py): 64 rows/batch gave the most
# rows/s in both fp32 (2.3 vs 2.1 at 32) and bf16 (3.3 vs 2.8)
CPU_BATCH = 64
MAX_GPU_BATCH = 256


class TransformersBackend:
    """Any causal LM in Hugging Face format; constrained decoding by frames, or through xgrammar for free text."""

    name = "transformers"
    supports_grammar = True
    supports_batch = True
    supports_frames = True

    def __init__(
        self, loaded: LoadedModel, *, grammar: str = "xgrammar", batch_size: int | Literal["auto"] = "auto"
    ) -> None:
        self.loaded = loaded
        self.model = loaded.model
        self.tokenizer = loaded.tokenizer
        self.grammar = grammar
        self._grammars: GrammarCache | None = None
        self.batch_size = batch_size
        self.usage = Usage()
        self.has_chat_template = bool(getattr(self.tokenizer, "chat_template", None))
        self._decoder: Any = None
        self._rows_model: Any = self.model if loaded.runtime == "native" else None
        self._frames: dict[int, tuple[Frame, FrameTokens]] = {}
        self._prefix: tuple[tuple[int, ...], Any] | None = None
        self._prefixes: PrefixStore | None = None

    @property
    def grammars(self) -> GrammarCache:
        """Compiled grammars for free generation, over transformers' model and tokenizer (built on first use)."""
        if self._grammars is None:
            model, tokenizer = self.loaded.transformers_objects()
            self._grammars = GrammarCache(model, tokenizer, self.grammar)
        return self._grammars

    @classmethod
    def from_config(cls, config: ModelConfig) -> TransformersBackend:
        """Build the backend a spec's model section asks for."""
        return cls(load_model(config), grammar=config.grammar, batch_size=config.batch_size)

    def format_chat(self, messages: list[Message]) -> str:
        """The prompt text for chat messages, as this model's chat template writes it."""
        if not self.has_chat_template:
            return plain_chat(messages)
        text: str = self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return text

    def generate(
        self,
        prompts: list[str],
        *,
        schema: type[BaseModel] | None,
        max_new_tokens: int,
        temperature: float,
        top_p: float,
        seed: int,
    ) -> list[str]:
        """One answer text per prompt (see ``Backend.generate``)."""
        if not prompts:
            return []
        encoded = self.tokenizer(prompts, add_special_tokens=False)["input_ids"]
        order = sorted(range(len(prompts)), key=lambda i: -len(encoded[i]))
        size = self._initial_batch_size(max(len(e) for e in encoded), max_new_tokens)
        out: list[str] = [""] * len(prompts)
        position, batch_number = 0, 0
        while position < len(order):
            rows = order[position : position + size]
            try:
                texts = self._batch([encoded[i] for i in rows], schema, max_new_tokens, temperature, top_p,
                                    _batch_seed(seed, batch_number))
            except Exception as exc:
                if not _is_oom(exc) or size == 1:
                    raise
                self._release_memory()
                size //= 2  # back off and retry the same rows
                continue
            for row, text in zip(rows, texts, strict=True):
                out[row] = text
            position += len(rows)
            batch_number += 1
        self.usage.calls += 1
        return out

    def fill_frames(
        self,
        prompts: list[str],
        frame: Frame,
        streams: list[np.random.Generator],
        *,
        temperature: float,
        top_p: float,
        factors: dict[int, np.ndarray] | None = None,
        stop_slot: int | None = None,
        scored: list[bool] | None = None,
    ) -> list[RowAnswer]:
        """Answer each prompt by filling ``frame`` (see frame_decoder.py); ``streams`` are the rows' own
        random streams. The prompts' common token prefix is computed once and shared by every row.
        ``scored`` marks the rows whose enum slots are scored, so their answers carry the candidates'
        probabilities (default: every row); the others sample them by rejection, which feeds fewer tokens."""
        if not prompts:
            return []
        tokens = self._frame_tokens(frame)
        encoded = [list(ids) for ids in self.tokenizer(prompts, add_special_tokens=False)["input_ids"]]
        shared = _common_prefix(encoded)
        prefix = self._prefix_memory(encoded[0][:shared])
        scored = scored if scored is not None else [True] * len(prompts)
        jobs = [RowJob(ids[shared:], stream, score)
                for ids, stream, score in zip(encoded, streams, scored, strict=True)]
        order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i].suffix))
        size = self._initial_batch_size(max(len(e) for e in encoded), 64)
        while True:
            try:
                answers = self._run_decoder(prefix, shared, [jobs[i] for i in order], tokens, batch_size=size,
                                            temperature=temperature, top_p=top_p, factors=factors,
                                            stop_slot=stop_slot)
                break
            except Exception as exc:
                if not _is_oom(exc) or size == 1:
                    raise
                self._release_memory()
                size //= 2  # rows draw from their own streams, so a retried row gives the same answer
                for job, stream in zip(jobs, streams, strict=True):
                    job.rng = _restart(stream)
        out: list[RowAnswer] = [RowAnswer()] * len(jobs)
        for row, answer in zip(order, answers, strict=True):
            out[row] = answer
        self.usage.calls += 1
        self.usage.prompt_tokens += shared + sum(len(j.suffix) for j in jobs)
        self.usage.generated_tokens += sum(a.tokens for a in out)
        return out

    def _run_decoder(self, prefix: Any, shared: int, jobs: list[RowJob], tokens: FrameTokens, *, batch_size: int,
                     **sampling: Any) -> list[RowAnswer]:
        """Run the decoder; on a CPU with several threads, as lanes that decode their share of the rows at
        once, each on its own threads (see ``decode_lanes``)."""
        lanes = decode_lanes(self.loaded.device, len(jobs), batch_size)
        if lanes == 1:
            return list(self.decoder.run(prefix, shared, jobs, tokens, batch_size=batch_size, **sampling))
        import copy
        from concurrent.futures import ThreadPoolExecutor

        import torch

        threads = torch.get_num_threads()
        shares = lane_shares(jobs, lanes)

        def lane(share: list[int]) -> list[RowAnswer]:
            torch.set_num_threads(max(1, threads // lanes))  # OpenMP's thread count is set per calling thread
            decoder = copy.copy(self.decoder)  # one run's state of its own; the caches are shared
            return list(decoder.run(prefix, shared, [jobs[i] for i in share], tokens,
                                    batch_size=-(-batch_size // lanes), **sampling))

        try:
            with ThreadPoolExecutor(lanes) as pool:
                done = list(pool.map(lane, shares))
        finally:
            torch.set_num_threads(threads)
        answers: list[RowAnswer] = [RowAnswer()] * len(jobs)
        for share, lane_answers in zip(shares, done, strict=True):
            for job, answer in zip(share, lane_answers, strict=True):
                answers[job] = answer
        return answers

    @property
    def decoder(self) -> Any:
        """The frame decoder, built on first use (it tokenises the whole vocabulary once)."""
        if self._decoder is None:
            from llmsynth.backends.frame_decoder import FrameDecoder
            from llmsynth.backends.frame_tokens import Vocabulary

            size = max(int(self.model.config.vocab_size), len(self.tokenizer))
            self._decoder = FrameDecoder(self.rows_model, Vocabulary(self.tokenizer, size))
        return self._decoder

    def _frame_tokens(self, frame: Frame) -> FrameTokens:
        cached = self._frames.get(id(frame))
        if cached is None or cached[0] is not frame:
            cached = (frame, FrameTokens.build(self.decoder.vocab, frame))
            self._frames[id(frame)] = cached
        return cached[1]

    @property
    def rows_model(self) -> Any:
        """The model as our decoder drives it (``kv_rows.RowsModel``)."""
        if self._rows_model is None:
            from llmsynth.backends.hf_rows import TransformersRows

            self._rows_model = TransformersRows(self.model)
        return self._rows_model

    @property
    def prefixes(self) -> PrefixStore:
        """Shared prefixes kept on disk between runs (on a CPU, where computing one costs a second; off with
        ``LLMSYNTH_PREFIX_CACHE=0``)."""
        if self._prefixes is None:
            keep = self.loaded.device == "cpu" and os.environ.get("LLMSYNTH_PREFIX_CACHE", "1") != "0"
            identity = model_identity(self.loaded.folder, self.loaded.dtype, self.loaded.runtime)
            self._prefixes = PrefixStore(identity, store_folder() if keep else None)
        return self._prefixes

    def _prefix_memory(self, tokens: list[int]) -> Any:
        """Keys and values of the shared prompt prefix, kept while the next call shares it."""
        key = tuple(tokens)
        if self._prefix is None or self._prefix[0] != key:
            self._prefix = (key, self.prefixes.prefix(tokens, self.rows_model.prefix_memory))
        return self._prefix[1]

    def _initial_batch_size(self, prompt_tokens: int, new_tokens: int) -> int:
        if self.batch_size != "auto":
            return int(self.batch_size)
        if self.loaded.device == "cpu":
            return CPU_BATCH
        import torch

        free, _ = torch.cuda.mem_get_info()
        config = self.model.config
        layers = int(getattr(config, "num_hidden_layers", 32))
        heads = int(getattr(config, "num_key_value_heads", None) or config.num_attention_heads)
        head_dim = int(getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads)
        width = 2 if self.loaded.dtype in ("bfloat16", "float16") else 4
        per_row = 2 * layers * heads * head_dim * width * (prompt_tokens + new_tokens)
        per_row += 4 * int(config.vocab_size) * 2  # logits and sampling buffers of one step
        fits = int(0.5 * free // max(per_row, 1))
        return max(1, min(MAX_GPU_BATCH, 1 << int(np.log2(max(fits, 1)))))

    def _batch(
        self, ids: list[list[int]], schema: type[BaseModel] | None, max_new_tokens: int,
        temperature: float, top_p: float, seed: int,
    ) -> list[str]:
        import torch
        from transformers import GenerationConfig, LogitsProcessorList

        model, tokenizer = self.loaded.transformers_objects()
        padded = tokenizer.pad({"input_ids": ids}, padding=True, return_tensors="pt")
        device = model.device
        inputs = {k: v.to(device) for k, v in padded.items()}
        sample = temperature > 0
        config = GenerationConfig(
            max_new_tokens=max_new_tokens,
            do_sample=sample,
            temperature=temperature if sample else None,
            top_p=top_p if sample else None,
            top_k=None,
            pad_token_id=tokenizer.pad_token_id,
            eos_token_id=tokenizer.eos_token_id,
        )
        processors = LogitsProcessorList([self.grammars.processor(schema)] if schema is not None else [])
        torch.manual_seed(seed)
        try:
            with torch.inference_mode():
                output = model.generate(**inputs, generation_config=config, logits_processor=processors)
        except RuntimeError as exc:
            if _is_oom(exc):
                raise
            raise GenerationError(f"the model failed while generating: {exc}") from exc
        generated = output[:, inputs["input_ids"].shape[1] :].tolist()
        self.usage.prompt_tokens += int(inputs["attention_mask"].sum())
        return [self._decode(row) for row in generated]

    def _decode(self, ids: list[int]) -> str:
        eos = self.tokenizer.eos_token_id
        stops = set(eos) if isinstance(eos, list) else {eos}
        cut = next((i for i, t in enumerate(ids) if t in stops), None)
        kept = ids if cut is None else ids[:cut]
        self.usage.generated_tokens += len(kept) + (cut is not None)
        text: str = self.tokenizer.decode(kept, skip_special_tokens=True)
        return text

    def _release_memory(self) -> None:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()


def decode_lanes(device: str, rows: int, batch_size: int) -> int:
    """Decoders to run at once. On a CPU, two decoders of one thread each beat one of two threads (the
    model's matrices are small; each op of one lane runs while the other lane's Python picks tokens):
    1.1-1.4x on the few-shot specs on 2 cores, no change on the reference schema. So a CPU with several
    threads runs two lanes when each gets rows enough to fill a batch of some size."""
    import torch

    if device != "cpu" or torch.get_num_threads() < 2 or min(rows, batch_size) < 2 * MIN_LANE_ROWS:
        return 1
    return 2


def lane_shares(jobs: list[RowJob], lanes: int) -> list[list[int]]:
    """The jobs each lane decodes: rows whose prompts are the same stay together (a lane prefills their
    prompt once), groups go to the lane with fewest rows, and each lane keeps the given order."""
    groups: dict[tuple[int, ...], list[int]] = {}
    for index, job in enumerate(jobs):
        groups.setdefault(tuple(job.suffix), []).append(index)
    shares: list[list[int]] = [[] for _ in range(lanes)]
    for members in sorted(groups.values(), key=len, reverse=True):
        min(shares, key=len).extend(members)
    return [sorted(share) for share in shares]


def _common_prefix(rows: list[list[int]]) -> int:
    """Length of the token prefix every row shares."""
    first = rows[0]
    length = len(first)
    for row in rows[1:]:
        limit = min(length, len(row))
        match = 0
        while match < limit and row[match] == first[match]:
            match += 1
        length = match
    return length


def _restart(stream: np.random.Generator) -> np.random.Generator:
    """A fresh copy of a row's stream as it was handed in (a retried batch redraws the same numbers)."""
    seeds: Any = stream.bit_generator.seed_seq
    return np.random.default_rng(seeds)


def _batch_seed(seed: int, batch: int) -> int:
    return int(np.random.SeedSequence([seed, batch]).generate_state(1, np.uint64)[0] >> 1)


def _is_oom(exc: BaseException) -> bool:
    import torch

    return isinstance(exc, torch.OutOfMemoryError) or "out of memory" in str(exc).lower()
