"""Shards: a run's planned chunks split into N contiguous ranges, one per process or machine.

Every planned chunk depends only on (seed, chunk index) and the spec, so the shards together hold
exactly the rows of a single-process run, in the same order once concatenated by shard number.
Contiguous ranges (rather than every N-th chunk) make merging a plain concatenation of files, keep
the shards balanced (chunks have equal sizes) and give a shard's rows a single span of row numbers.
Top-up chunks (for rejected rows) depend on every planned chunk's counters, so they are made at
merge time (``llmsynth.engine.merge``), exactly as the single-process run makes them at its end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from llmsynth.engine.fingerprint import options_digest
from llmsynth.engine.runner import Runner, planned_count
from llmsynth.errors import EngineError
from llmsynth.spec import DatasetSpec

MAX_SHARDS = 100_000


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (1-based, as written on the command line: ``--shard 2/8``)."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str | Shard) -> Shard:
        """``I/N`` (or a Shard) as a checked Shard; a clear EngineError for anything else."""
        if isinstance(text, Shard):
            return cls.checked(text.index, text.count)
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", str(text))
        if not match:
            raise EngineError(f"--shard {text!r}: write it as I/N, e.g. 1/4 for the first of four shards")
        return cls.checked(int(match[1]), int(match[2]))

    @classmethod
    def checked(cls, index: int, count: int) -> Shard:
        """A Shard when 1 <= I <= N <= MAX_SHARDS; an EngineError naming the bounds otherwise."""
        if not 1 <= count <= MAX_SHARDS or not 1 <= index <= count:
            raise EngineError(f"--shard {index}/{count}: I must be 1 to N and N 1 to {MAX_SHARDS:,}")
        return cls(index, count)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def chunks(self, target: int, size: int) -> range:
        """This shard's planned chunk indices (may be empty when there are more shards than chunks)."""
        planned = planned_count(target, size)
        return range((self.index - 1) * planned // self.count, self.index * planned // self.count)

    def record(self, runner: Runner, target: int, options: dict[str, Any]) -> dict[str, Any]:
        """What the shard's run record holds for merge: its place in the run, the run's options, and the
        spec itself (so merge can make the run's top-up chunks without being given it again)."""
        span = self.chunks(target, runner.chunk_size)
        spec = runner.spec
        return {
            "shard": {"index": self.index, "count": self.count, "chunks": [span.start, span.stop],
                      "chunk_size": runner.chunk_size, "rows_requested": target, "columns": spec.column_names,
                      "run_fingerprint": options_digest(options), "run_options": options},
            "spec": spec.model_dump(mode="json", warnings=False),
            "spec_source": None if spec.source is None else str(spec.source),
        }


def refuse_carried_state(spec: DatasetSpec, how: str) -> None:
    """Unique LLM columns make each chunk depend on the values of every chunk before it (a duplicate is
    regenerated), the one sequential dependency of a run: such specs run in one process only."""
    unique_text = spec.generation.unique_text
    for group in spec.llm_groups():
        for schema in group.column_schemas():
            if schema.unique or (unique_text and schema.type == "string"):
                reason = "generation.unique_text is on" if not schema.unique else "it is unique"
                raise EngineError(
                    f"{spec.source or spec.name}: column '{schema.name}': {how} cannot split this spec, because "
                    f"{reason}: every chunk must see the values of all chunks before it. Run it with the local "
                    "engine, or draw unique values from a sampler (kind: id, or a unique choice list)")
