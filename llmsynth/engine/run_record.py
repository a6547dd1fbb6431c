"""Counters of one run and the run record written beside the output (``X.run.json``), which
``llmsynth eval`` reads for first-pass validity, retries and rejects."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
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
    resumed: int = 0

    def to_state(self) -> dict[str, Any]:
        """Every counter, for a run folder's manifest (``from_state`` restores them on resume)."""
        state = asdict(self)
        state["rejects_by_reason"] = dict(self.rejects_by_reason)
        return state

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> RunStats:
        """Counters as a manifest stored them, for a resumed run to continue counting."""
        values = dict(state)
        values["rejects_by_reason"] = Counter(values.get("rejects_by_reason", {}))
        values["llm"] = LLMStats(**values.get("llm", {}))
        return cls(**values)

    def add_chunk(self, result: Any) -> None:
        """Count one committed chunk: its rows, its rejects and their reasons."""
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
        """Rows written per second of the run's own time (0 before any time has passed)."""
        return self.rows_written / self.seconds if self.seconds > 0 else 0.0

    @property
    def tokens_per_second(self) -> float:
        """Tokens the model generated per second of LLM time (0 without LLM columns)."""
        return self.llm.generated_tokens / self.llm.seconds if self.llm.seconds > 0 else 0.0

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> RunStats:
        """Counters read back from a run record (an already finished run)."""
        llm = LLMStats(
            rows=record.get("llm_rows", 0), first_pass_valid=record.get("first_pass_valid", 0),
            retries=record.get("retries", 0), rejected=record.get("rejected", 0),
            prompt_tokens=record.get("prompt_tokens", 0), generated_tokens=record.get("generated_tokens", 0),
        )
        if record.get("tokens_per_s"):
            llm.seconds = llm.generated_tokens / record["tokens_per_s"]
        return cls(
            rows_requested=record.get("rows_requested", 0), rows_written=record.get("rows_written", 0),
            chunks=record.get("chunks", 0), rejected=record.get("rejected", 0),
            rejects_by_reason=Counter(record.get("rejects_by_reason", {})), llm=llm,
            seconds=record.get("seconds", 0.0), resumed=record.get("resumed", 0),
        )

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
            "resumed": self.resumed,
        }


def reason_kind(reason: str) -> str:
    """Group reasons by their first clause, so counts stay readable ('score: above maximum 100')."""
    return reason.split(";")[0].strip()[:80] or "unknown"


def sidecar_paths(output: str | Path) -> tuple[Path, Path]:
    """(run record, rejects file) for an output path: ``X.run.json`` and ``X.rejects.jsonl``."""
    output = Path(output)
    stem = output.with_suffix("")
    return stem.with_name(stem.name + ".run.json"), stem.with_name(stem.name + ".rejects.jsonl")


def record_text(stats: RunStats, fingerprint: str | None = None, extra: dict[str, Any] | None = None) -> str:
    """The run record as written beside the output; ``fingerprint`` ties it to the run's options;
    ``extra`` adds keys (a shard's place in its run, its exact counters)."""
    record = stats.record()
    if fingerprint is not None:
        record["fingerprint"] = fingerprint
    if extra:
        record.update(extra)
        if "shard" in extra:
            record["state"] = stats.to_state()
    return json.dumps(record, indent=2) + "\n"


def write_sidecars(output: str | Path, stats: RunStats, rejects: list[dict[str, Any]]) -> tuple[Path, Path]:
    """Run record and rejects beside an output written in one piece (a Hugging Face dataset folder)."""
    record_path, rejects_path = sidecar_paths(output)
    record_path.write_text(record_text(stats), encoding="utf-8")
    with rejects_path.open("w", encoding="utf-8") as handle:
        for reject in rejects:
            handle.write(json.dumps(reject, ensure_ascii=False, default=str) + "\n")
    return record_path, rejects_path
