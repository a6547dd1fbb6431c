"""Tables handed over in the forms users work with: a DataFrame in the spec's dtypes, and a Hugging
Face ``datasets.Dataset`` with typed features and a dataset card (the ``hf`` extra)."""

from llmsynth.export.dtypes import typed_column, with_spec_dtypes
from llmsynth.export.hf import to_hf_dataset, write_hf_dataset

__all__ = ["to_hf_dataset", "typed_column", "with_spec_dtypes", "write_hf_dataset"]
