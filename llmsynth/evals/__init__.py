"""Evaluation of synthetic tables: validity, fidelity (spec and reference), diversity, privacy,
usefulness and bias, written as JSON and a self-contained HTML report (see docs/evals.md)."""

from llmsynth.evals.evaluate import FAMILIES, evaluate
from llmsynth.evals.report import EvalReport
from llmsynth.evals.thresholds import HEADLINE, failed_thresholds
from llmsynth.evals.validity import load_run_record

__all__ = ["FAMILIES", "HEADLINE", "EvalReport", "evaluate", "failed_thresholds", "load_run_record"]
