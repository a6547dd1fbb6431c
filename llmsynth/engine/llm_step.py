"""Fill one LLM group for one chunk: prompts from the rows, decoding, validation, retries, rejects.

Every answer is validated against the group's row model whatever the backend promised; a row that
fails is regenerated (with a fresh seed) up to ``generation.retries`` times, then rejected with its
last raw output. Seeds derive from (dataset seed, group label, attempt, chunk), so a fixed seed and
batch size give the same table.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, fields
from typing import Any

import pandas as pd
from pydantic import BaseModel, ValidationError

from llmsynth.backends.base import Backend
from llmsynth.engine.rowschema import build_row_model, max_answer_tokens
from llmsynth.errors import ParseError
from llmsynth.prompts.builder import PromptBuilder
from llmsynth.seeding import stream_seed
from llmsynth.spec import DatasetSpec, LLMGroup
from llmsynth.spec.schema import ColumnSchema


@dataclass
class Reject:
    """One row that never became valid."""

    row: int
    group: str
    raw: str
    reason: str
    attempts: int


@dataclass
class LLMStats:
    """Counters of one or more fills; the runner turns them into rows/s and tokens/s."""

    rows: int = 0
    first_pass_valid: int = 0
    retries: int = 0
    rejected: int = 0
    prompt_tokens: int = 0
    generated_tokens: int = 0
    seconds: float = 0.0

    def merge(self, other: LLMStats) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass
class GroupPlan:
    """What a group needs at every chunk, built once."""

    schemas: list[ColumnSchema]
    model: type[BaseModel]
    builder: PromptBuilder
    max_new_tokens: int
    unique: list[str]


class LLMFiller:
    """Fills LLM groups chunk by chunk; the backend (the model) is loaded on the first fill."""

    def __init__(
        self,
        dataset: DatasetSpec,
        backend: Backend | None = None,
        *,
        row_models: dict[str, type[BaseModel]] | None = None,
    ) -> None:
        """``row_models`` (group label -> pydantic model) replaces the row models built from the spec."""
        self.dataset = dataset
        self._backend = backend
        self.row_models = dict(row_models or {})
        self._plans: dict[int, GroupPlan] = {}
        # values already written to unique columns during this filler's run, per (group, column)
        self._seen: dict[tuple[str, str], set[Any]] = {}

    @property
    def backend(self) -> Backend:
        if self._backend is None:
            from llmsynth.backends.registry import create_backend

            self._backend = create_backend(self.dataset.model)
        return self._backend

    def plan(self, group: LLMGroup) -> GroupPlan:
        """The group's compiled templates, row model and token budget."""
        key = id(group)
        if key not in self._plans:
            schemas = group.column_schemas()
            model = self.row_models.get(group.label) or build_row_model(schemas, _model_name(group.label))
            budget = self.dataset.generation.max_new_tokens or max_answer_tokens(schemas)
            if group.decoding == "free" and self.dataset.generation.max_new_tokens is None:
                budget = budget * 3 // 2 + 16  # free text carries labels, separators and chatter
            unique = [s.name for s in schemas if s.unique or (self.dataset.generation.unique_text
                                                              and s.type == "string")]
            builder = PromptBuilder(group, self.dataset, model)
            self._plans[key] = GroupPlan(schemas, model, builder, budget, unique)
        return self._plans[key]

    def fill(
        self, group: LLMGroup, frame: pd.DataFrame, *, chunk: int
    ) -> tuple[pd.DataFrame, list[Reject], LLMStats]:
        """frame holds the chunk's columns generated so far (RangeIndex). Returns a DataFrame with exactly
        the group's field columns, same index as frame; rows that failed all attempts hold None in every
        field and are listed in rejects."""
        started = time.perf_counter()
        plan = self.plan(group)
        backend = self.backend
        generation = self.dataset.generation
        n = len(frame)
        records = frame.to_dict("records")
        prompts = [backend.format_chat(plan.builder.messages(records[i], i)) for i in range(n)]
        before = (backend.usage.prompt_tokens, backend.usage.generated_tokens)
        answers: list[dict[str, Any] | None] = [None] * n
        raw, reasons, attempts = [""] * n, [""] * n, [0] * n
        stats = LLMStats(rows=n)
        pending = list(range(n))
        for attempt in range(generation.retries + 1):
            if not pending:
                break
            if attempt:
                stats.retries += len(pending)
            texts = backend.generate(
                [prompts[i] for i in pending],
                schema=plan.model if group.decoding == "constrained" else None,
                max_new_tokens=plan.max_new_tokens,
                temperature=generation.temperature,
                top_p=generation.top_p,
                seed=stream_seed(self.dataset.seed, f"llm:{group.label}:{attempt}", chunk),
            )
            failed = []
            for i, text in zip(pending, texts, strict=True):
                attempts[i] += 1
                raw[i] = text
                answer, reason = self._check(group, plan, text)
                if answer is not None:
                    reason = self._claim_unique(group, plan, answer)
                if reason:
                    reasons[i] = reason
                    failed.append(i)
                else:
                    answers[i] = answer
            if attempt == 0:
                stats.first_pass_valid = n - len(failed)
            pending = failed
        rejects = [Reject(i, group.label, raw[i], reasons[i], attempts[i]) for i in pending]
        stats.rejected = len(rejects)
        stats.prompt_tokens = backend.usage.prompt_tokens - before[0]
        stats.generated_tokens = backend.usage.generated_tokens - before[1]
        names = [s.name for s in plan.schemas]
        out = pd.DataFrame({name: _column([a[name] if a else None for a in answers], frame.index)
                            for name in names}, index=frame.index)
        stats.seconds = time.perf_counter() - started
        return out, rejects, stats

    def _check(self, group: LLMGroup, plan: GroupPlan, text: str) -> tuple[dict[str, Any] | None, str]:
        """The validated answer, or None and why not."""
        try:
            if group.decoding == "constrained":
                row = plan.model.model_validate_json(text)
            else:
                from llmsynth.parsers import parse_row

                parsed = parse_row(text, plan.schemas, parser=group.parser, regex=group.regex)
                row = plan.model.model_validate(parsed)
        except ParseError as exc:
            return None, f"parse ({exc.parser or group.parser}): {exc}"
        except ValidationError as exc:
            return None, "; ".join(_describe_error(e) for e in exc.errors()[:5])
        answer: dict[str, Any] = row.model_dump(mode="json", by_alias=True)
        return answer, ""

    def _claim_unique(self, group: LLMGroup, plan: GroupPlan, answer: dict[str, Any]) -> str:
        """Reject an answer that repeats a value of a unique column; otherwise remember its values."""
        for name in plan.unique:
            value = answer.get(name)
            if value is not None and value in self._seen.setdefault((group.label, name), set()):
                return f"{name}: duplicate value {value!r} (column must be unique)"
        for name in plan.unique:
            if answer.get(name) is not None:
                self._seen[(group.label, name)].add(answer[name])
        return ""


def _column(values: list[Any], index: pd.Index) -> pd.Series:
    """Native dtypes where every row has a value; object dtype (None for rejected rows) otherwise."""
    series = pd.Series(values, index=index, dtype=object)
    return series if any(v is None for v in values) else series.infer_objects()


def _describe_error(error: Any) -> str:
    where = ".".join(str(p) for p in error.get("loc", ())) or "row"
    return f"{where}: {error.get('msg', 'invalid')}"


def _model_name(label: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else "_" for ch in label).strip("_")
    return f"Row_{cleaned}" if cleaned else "Row"
