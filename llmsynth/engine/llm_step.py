"""Fill one LLM group for one chunk: prompts from the rows, decoding, validation, retries, rejects.

Every answer is validated against the group's row model whatever the backend promised; a row that
fails is regenerated (with a fresh stream) up to ``generation.retries`` times, then rejected with its
last raw output. A backend that fills frames (the transformers backend) draws each row's random numbers
from a stream keyed by (dataset seed, group, row index, attempt), so batch size, batch composition and
chunking cannot change a row's answer; other backends get one seed per (group, attempt, chunk).
Choice fields with declared weights are calibrated here (see calibration.py).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

from llmsynth.backends.base import Backend
from llmsynth.backends.frame import Frame, build_frame, frame_supported
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
    field_redraws: int = 0  # number/date values redrawn because they could not be valid (rejection sampling)
    approximate_fields: int = 0  # fields that fell back to masked decoding after too many redraws
    cut_texts: int = 0  # texts ended at a word boundary because the model went past their limit
    explain: list[dict[str, Any]] = field(default_factory=list)  # candidate probabilities of the first rows
    calibration: list[dict[str, Any]] = field(default_factory=list)  # declared weights: factors and Cramér's V

    def merge(self, other: LLMStats) -> None:
        """Add another chunk's counters to these (a run's totals are the sum of its chunks')."""
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        self.explain = self.explain[:EXPLAIN_ROWS]

    def decoding_record(self) -> dict[str, Any]:
        """What the faithful decoder did, for the run record."""
        return {
            "field_redraws": self.field_redraws,
            "approximate_fields": self.approximate_fields,
            "cut_texts": self.cut_texts,
            "explain": self.explain,
            "calibration": self.calibration,
        }


EXPLAIN_ROWS = 5


@dataclass
class GroupPlan:
    """What a group needs at every chunk, built once."""

    schemas: list[ColumnSchema]
    model: type[BaseModel]
    builder: PromptBuilder
    max_new_tokens: int
    unique: list[str]
    frame: Frame | None = None  # the answer frame, when the group is constrained and the frame covers it


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
        """The model backend, loaded on first use (a spec whose rows all fail early never loads it)."""
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
            frame = None
            if group.decoding == "constrained" and group.label not in self.row_models and frame_supported(schemas):
                weights = {n: w for n, f in group.fields.items() if (w := f.weights())}
                enumerate_fields = {n: f.enumerate for n, f in group.fields.items()}
                frame = build_frame(schemas, weights=weights, enumerate_fields=enumerate_fields)
            self._plans[key] = GroupPlan(schemas, model, builder, budget, unique, frame)
        return self._plans[key]

    def fill(
        self, group: LLMGroup, frame: pd.DataFrame, *, chunk: int, rows: Sequence[int] | None = None
    ) -> tuple[pd.DataFrame, list[Reject], LLMStats]:
        """frame holds the chunk's columns generated so far (RangeIndex); ``rows`` are the table's row numbers
        of its rows (default: positions in the chunk). Returns a DataFrame with exactly the group's field
        columns, same index as frame; rows that failed all attempts hold None in every field and are listed
        in rejects."""
        started = time.perf_counter()
        plan = self.plan(group)
        backend = self.backend
        generation = self.dataset.generation
        n = len(frame)
        numbers = [int(r) for r in rows] if rows is not None else list(range(n))
        records = frame.to_dict("records")
        prompts = [backend.format_chat(plan.builder.messages(records[i], numbers[i])) for i in range(n)]
        before = (backend.usage.prompt_tokens, backend.usage.generated_tokens)
        answers: list[dict[str, Any] | None] = [None] * n
        raw, reasons, attempts = [""] * n, [""] * n, [0] * n
        stats = LLMStats(rows=n)
        frames = plan.frame is not None and bool(getattr(backend, "supports_frames", False))
        factors = self._calibrate(group, plan, frame, prompts, numbers, stats) if frames else None
        pending = list(range(n))
        for attempt in range(generation.retries + 1):
            if not pending:
                break
            if attempt:
                stats.retries += len(pending)
            if frames:
                texts = self._fill_frames(group, plan, [prompts[i] for i in pending],
                                          [numbers[i] for i in pending], attempt, factors, stats)
            else:
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

    def _fill_frames(self, group: LLMGroup, plan: GroupPlan, prompts: list[str], rows: list[int], attempt: int,
                     factors: dict[int, np.ndarray] | None, stats: LLMStats) -> list[str]:
        assert plan.frame is not None
        generation = self.dataset.generation
        streams = [row_stream(self.dataset.seed, group.label, row, attempt) for row in rows]
        # the table's first rows are scored, so the run record can explain them; the rest draw by rejection
        scored = [attempt == 0 and row < EXPLAIN_ROWS for row in rows]
        answers = self.backend.fill_frames(  # type: ignore[attr-defined]
            prompts, plan.frame, streams, temperature=generation.temperature, top_p=generation.top_p,
            factors=factors, scored=scored,
        )
        for row, answer in zip(rows, answers, strict=True):
            stats.field_redraws += answer.rejections
            stats.approximate_fields += answer.approximate
            stats.cut_texts += answer.cut
            if answer.probabilities and len(stats.explain) < EXPLAIN_ROWS:
                stats.explain.append({"row": row, "group": group.label, "attempt": attempt, "probabilities": {
                    name: _named(plan.frame, name, probs) for name, probs in answer.probabilities.items()}})
        return [a.text for a in answers]

    def _calibrate(self, group: LLMGroup, plan: GroupPlan, frame: pd.DataFrame, prompts: list[str],
                   rows: list[int], stats: LLMStats) -> dict[int, np.ndarray] | None:
        """Factors that give each weighted choice field its declared marginal over this chunk's rows.

        The rows are first decoded up to the field (with the same per-row streams as the real pass, so the
        fields before it come out the same), their probabilities for it collected, and factors fitted.
        """
        from llmsynth.engine.calibration import calibrated, dependence_report, fit_factors

        assert plan.frame is not None
        factors: dict[int, np.ndarray] = {}
        generation = self.dataset.generation
        for index, slot in enumerate(plan.frame.slots):
            if slot.weights is None or not rows:
                continue
            streams = [row_stream(self.dataset.seed, group.label, row, 0) for row in rows]
            probes = self.backend.fill_frames(  # type: ignore[attr-defined]
                prompts, plan.frame, streams, temperature=generation.temperature, top_p=generation.top_p,
                factors=factors, stop_slot=index,
            )
            probabilities = np.stack([p.probabilities[slot.name] for p in probes])
            factors[index] = fit_factors(probabilities, np.array(slot.weights))
            report = dependence_report(slot.name, frame, sorted(plan.builder.needs), probabilities,
                                       calibrated(probabilities, factors[index]))
            report["factors"] = _named(plan.frame, slot.name, factors[index])
            report["target"] = _named(plan.frame, slot.name, np.array(slot.weights))
            stats.calibration.append(report)
        return factors or None

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


def row_stream(seed: int, group: str, row: int, attempt: int) -> np.random.Generator:
    """The random stream of one row of one group at one attempt: independent of batches and chunks."""
    digest = hashlib.sha256(f"llm-row:{group}".encode()).digest()
    words = [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4)]
    return np.random.default_rng(np.random.SeedSequence([seed, row, attempt, *words]))


def _named(frame: Frame, name: str, values: np.ndarray) -> dict[str, float]:
    """Probabilities (or factors) keyed by the candidate values of a frame's enum slot."""
    slot = next(s for s in frame.slots if s.name == name)
    labels = [c.strip('"') for c in slot.candidates]
    return {label: round(float(v), 4) for label, v in zip(labels, values, strict=False)}


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
