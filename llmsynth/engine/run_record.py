"""Counters of one run and the run record written beside the output (``X.run.json``), which
``llmsynth eval`` reads for first-pass validity, retries and rejects."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmsynth.engine.llm_step import LLMStats


@dataclass
class RunStats:
    """What a run did: rows and rejects by reason, plus the LLM step's own counters."""

    rows_requested: int = 0
    rows_written: int = 0
    chunks: int = 0
    rejected: int = 0
    rejects_by_reason: Counter[str] = field(default_factory=Counter)
    llm: LLMStats = field(default_factory=LLMStats)
    seconds: float = 0.0

    def add_chunk(self, result: Any) -> None:
        self.chunks += 1
        self.rows_written += len(result.data)
        self.rejected += len(result.rejects)
        for reject in result.rejects:
            self.rejects_by_reason[reason_kind(reject["reason"])] += 1

    def add_llm(self, stats: LLMStats) -> None:
        """Fold in one LLM fill's counters."""
        self.llm.merge(stats)

    @property
    def rows_per_second(self) -> float:
        return self.rows_written / self.seconds if self.seconds > 0 else 0.0

    @property
    def tokens_per_second(self) -> float:
        return self.llm.generated_tokens / self.llm.seconds if self.llm.seconds > 0 else 0.0

    def record(self) -> dict[str, Any]:
        """The run record: stable keys, documented in docs/evals.md."""
        llm = self.llm
        return {
            "rows_requested": self.rows_requested,
            "rows_written": self.rows_written,
            "chunks": self.chunks,
            "llm_rows": llm.rows,
            "first_pass_valid": llm.first_pass_valid,
            "first_pass_validity": llm.first_pass_valid / llm.rows if llm.rows else None,
            "retries": llm.retries,
            "rejected": self.rejected,
            "rejects_by_reason": dict(self.rejects_by_reason),
            "prompt_tokens": llm.prompt_tokens,
            "generated_tokens": llm.generated_tokens,
            "seconds": round(self.seconds, 3),
            "rows_per_s": round(self.rows_per_second, 3),
            "tokens_per_s": round(self.tokens_per_second, 3),
            "decoding": llm.decoding_record(),
        }


def reason_kind(reason: str) -> str:
    """Group reasons by their first clause, so counts stay readable ('score: above maximum 100')."""
    return reason.split(";")[0].strip()[:80] or "unknown"


def sidecar_paths(output: str | Path) -> tuple[Path, Path]:
    """(run record, rejects file) for an output path: ``X.run.json`` and ``X.rejects.jsonl``."""
    output = Path(output)
    stem = output.with_suffix("")
    return stem.with_name(stem.name + ".run.json"), stem.with_name(stem.name + ".rejects.jsonl")


def write_sidecars(output: str | Path, stats: RunStats, rejects: list[dict[str, Any]]) -> tuple[Path, Path]:
    record_path, rejects_path = sidecar_paths(output)
    record_path.write_text(json.dumps(stats.record(), indent=2) + "\n", encoding="utf-8")
    with rejects_path.open("w", encoding="utf-8") as handle:
        for reject in rejects:
            handle.write(json.dumps(reject, ensure_ascii=False, default=str) + "\n")
    return record_path, rejects_path
