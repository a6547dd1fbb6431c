"""Labels from a decision tree learned on sample data: each new row's label is drawn from the class
frequencies of the leaf its features fall in, so both the rule and its uncertainty carry over."""

from __future__ import annotations

import numpy as np
import pandas as pd
from typing_extensions import override

from llmsynth.errors import SpecError
from llmsynth.scaffold.base import Material, Sampler
from llmsynth.scaffold.data import load_sample
from llmsynth.spec.kinds.tree import TreeSpec


class TreeSampler(Sampler[TreeSpec]):
    """``kind: tree``: ``model_`` (DecisionTreeClassifier) and ``classes_`` after ``fit``."""

    @override
    def fit(self) -> TreeSampler:
        from sklearn.tree import DecisionTreeClassifier

        spec = self.spec
        target = spec.target or spec.name
        data = load_sample(spec, self.dataset, [*spec.features, target])
        # categorical features are one-hot encoded with the categories seen in the sample
        self.categories_ = {
            f: sorted(data[f].astype(str).unique())
            for f in spec.features
            if not pd.api.types.is_numeric_dtype(data[f]) or pd.api.types.is_bool_dtype(data[f])
        }
        labels = data[target].astype(str).to_numpy()
        if spec.classes is not None:
            unknown = sorted(set(labels) - set(spec.classes))
            if unknown:
                raise SpecError(
                    f"field 'classes': the sample has labels {unknown} not in classes", column=spec.label
                )
        seed = int(self.fit_rng().integers(2**31 - 1))  # ties between equal splits: the column's fit stream
        self.model_ = DecisionTreeClassifier(
            max_depth=spec.max_depth, min_samples_leaf=spec.min_samples_leaf, random_state=seed
        ).fit(self._encode(data), labels)
        self.classes_ = np.asarray(self.model_.classes_, dtype=object)
        return self

    def _encode(self, frame: pd.DataFrame) -> np.ndarray:
        parts = []
        for feature in self.spec.features:
            if feature in self.categories_:
                values = frame[feature].astype(str).to_numpy()
                parts.append(np.stack([values == c for c in self.categories_[feature]], axis=1).astype(float))
            else:
                parts.append(frame[feature].to_numpy(dtype=float)[:, None])
        return np.concatenate(parts, axis=1)

    def probabilities(self, context: pd.DataFrame) -> np.ndarray:
        """Each row's leaf class frequencies, columns in ``classes_`` order."""
        return np.asarray(self.model_.predict_proba(self._encode(context)))

    @override
    def draw(self, n: int, rng: np.random.Generator) -> Material:
        return {"u": rng.random(n)}

    @override
    def finish(self, material: Material, context: pd.DataFrame | None) -> pd.DataFrame:
        if context is None:
            raise SpecError("a tree needs its feature columns", column=self.spec.label)
        proba = self.probabilities(context)
        draw = (np.cumsum(proba, axis=1) < material["u"][:, None]).sum(axis=1)
        return pd.DataFrame({self.spec.name: self.classes_[np.minimum(draw, len(self.classes_) - 1)]})

    @override
    def diagnostics(self) -> dict[str, float]:
        return {"leaves": float(self.model_.get_n_leaves()), "depth": float(self.model_.get_depth())}
