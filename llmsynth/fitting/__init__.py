"""Learn an editable spec from a real table: ``llmsynth.fit(df)`` and ``llmsynth fit DATA -o spec.yaml``."""

from llmsynth.fitting.build import fit
from llmsynth.fitting.kinds import infer_kind, infer_kinds
from llmsynth.fitting.options import KINDS, FitOptions

__all__ = ["KINDS", "FitOptions", "fit", "infer_kind", "infer_kinds"]
