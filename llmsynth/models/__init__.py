"""Model registry and loading; nothing here imports torch until a model is actually loaded."""

from llmsynth.models.registry import ModelEntry, ModelInfo, list_models, load_registry

__all__ = ["ModelEntry", "ModelInfo", "list_models", "load_registry"]
