"""The dataset spec: pydantic models, YAML loading, dependency ordering. Imports nothing heavy."""

from llmsynth.spec.base import ColumnBase, StrictModel
from llmsynth.spec.dataset import COLUMN_KINDS, DatasetSpec
from llmsynth.spec.kinds.expression import ExpressionColumn
from llmsynth.spec.llm import LLMField, LLMGroup
from llmsynth.spec.loader import load_spec, spec_from_dict
from llmsynth.spec.model import GenerationConfig, ModelConfig
from llmsynth.spec.plan import order_columns
from llmsynth.spec.schema import ColumnSchema, RowConstraint, SumConstraint

__all__ = [
    "COLUMN_KINDS",
    "ColumnBase",
    "ColumnSchema",
    "DatasetSpec",
    "ExpressionColumn",
    "GenerationConfig",
    "LLMField",
    "LLMGroup",
    "ModelConfig",
    "RowConstraint",
    "StrictModel",
    "SumConstraint",
    "load_spec",
    "order_columns",
    "spec_from_dict",
]
