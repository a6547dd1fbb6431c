"""The privacy options take effect: rare values, clipped extremes, noise, and real text only on request."""

from __future__ import annotations

import numpy as np
import pandas as pd

import llmsynth
from llmsynth.backends.fake import FakeBackend

NUMBERS = ["segment", "age", "income", "visits", "country"]


def categories(spec: llmsynth.DatasetSpec, column: str) -> set[str]:
    found: set[str] = set()
    for case in spec.columns[1].cases.values():  # type: ignore[attr-defined]
        found |= set(case.columns[column].categories)
    return found


def test_rare_categories_are_grouped_by_default_kept_or_dropped(table: pd.DataFrame) -> None:
    grouped = llmsynth.fit(table[NUMBERS], label="segment")
    assert "Atlantis" not in grouped.to_yaml()
    assert categories(grouped, "country") == {"France", "Japan", "Brazil", "Kenya", "other"}
    data = llmsynth.generate(grouped, rows=3000)
    assert "Atlantis" not in set(data["country"])
    kept = llmsynth.fit(table[NUMBERS], label="segment", rare="keep")
    assert "Atlantis" in categories(kept, "country")
    dropped = llmsynth.fit(table[NUMBERS], label="segment", rare="drop")
    assert categories(dropped, "country") == {"France", "Japan", "Brazil", "Kenya"}
    lenient = llmsynth.fit(table[NUMBERS], label="segment", min_count=2)
    assert "Atlantis" in categories(lenient, "country")


def test_rare_whole_numbers_move_to_the_nearest_frequent_value(table: pd.DataFrame) -> None:
    counts = table["visits"].value_counts()
    rare = set(counts.index[counts < 5])
    assert rare  # the table has visit counts seen fewer than five times
    data = llmsynth.generate(llmsynth.fit(table[NUMBERS], label="segment"), rows=4000)
    assert not rare & set(data["visits"])


def test_clip_cuts_the_extremes(table: pd.DataFrame) -> None:
    low, high = table["income"].quantile([0.05, 0.95])
    data = llmsynth.generate(llmsynth.fit(table[["age", "income"]], clip=0.05), rows=3000)
    assert data["income"].min() >= low - 0.01
    assert data["income"].max() <= high + 0.01
    assert table["income"].max() > high * 1.2  # the real extremes were well outside


def test_noise_widens_the_marginals_and_moves_rows_away(table: pd.DataFrame) -> None:
    frame = table[["age", "income", "visits"]]
    plain = llmsynth.fit(frame, seed=3)
    noisy = llmsynth.fit(frame, seed=3, noise=0.5)
    plain_rows = llmsynth.generate(plain, rows=len(frame))
    noisy_rows = llmsynth.generate(noisy, rows=len(frame))
    assert noisy_rows["age"].std() > 1.05 * plain_rows["age"].std()
    plain_dcr = llmsynth.evaluate(plain_rows, plain, reference=frame).scores["privacy"]["dcr_synthetic_median"]
    noisy_dcr = llmsynth.evaluate(noisy_rows, noisy, reference=frame).scores["privacy"]["dcr_synthetic_median"]
    assert noisy_dcr > 1.1 * plain_dcr


def test_real_text_is_copied_only_as_requested_examples(table: pd.DataFrame) -> None:
    frame = table[["segment", "age", "note"]]
    default = llmsynth.fit(frame)
    group = default.llm_groups()[0]
    assert group.examples == []
    assert not any(note in default.to_yaml() for note in table["note"])
    assert "{{ segment }}" in (group.prompt or "")
    assert "{{ age }}" in (group.prompt or "")
    with_examples = llmsynth.fit(frame, examples=3)
    shots = with_examples.llm_groups()[0].examples
    assert len(shots) == 3
    assert all(shot["note"] in set(table["note"]) for shot in shots)
    assert "3 real rows as few-shot examples" in with_examples.to_yaml()
    rows = llmsynth.generate(with_examples, rows=5, backend=FakeBackend())
    assert len(rows) == 5


def test_defaults_leave_no_real_row_in_the_output(table: pd.DataFrame) -> None:
    frame = table[["segment", "age", "income", "visits", "member"]]
    spec = llmsynth.fit(frame, label="segment")
    privacy = llmsynth.evaluate(llmsynth.generate(spec), spec, reference=frame).scores["privacy"]
    assert privacy["exact_copy_rows"] == 0
    assert privacy["dcr_ratio"] > 0.9
    assert not np.isin(llmsynth.generate(spec)["income"], frame["income"]).mean() > 0.05
