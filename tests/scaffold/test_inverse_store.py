"""Inverse tables kept on disk: a stored table draws exactly the values a computed one does, a warm store
spares the scipy.stats import, and a damaged entry, a full disk or the off switch only mean computing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from llmsynth.scaffold import inverse, inverse_store
from llmsynth.scaffold.inverse import TABLE_Z, HermiteTable, LazyExact, ThresholdTable, compile_inverse

LAWS = [
    ("beta", {"a": 5.0, "b": 2.0}, None, False),
    ("norm", {"loc": 41.0, "scale": 13.0}, (18.0, 75.0), False),
    ("gamma", {"a": 0.2}, None, False),
    ("poisson", {"mu": 3.0}, (1.0, 12.0), True),
    ("nbinom", {"n": 2.0, "p": 0.3}, None, True),
]
IDS = ["beta", "truncnormal", "gamma-small-shape", "poisson-bounded", "nbinom"]


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The store on, in a fresh folder; the in-process cache of compiled laws emptied around the test."""
    monkeypatch.setenv("LLMSYNTH_CACHE", str(tmp_path))
    monkeypatch.setenv("LLMSYNTH_INVERSE_CACHE", "1")
    inverse._compiled.cache_clear()
    yield tmp_path / "inverses"
    inverse._compiled.cache_clear()


def scores() -> np.ndarray:
    z = np.random.default_rng(5).standard_normal(50_000) * 1.5
    z[:4] = [-TABLE_Z - 2, TABLE_Z + 2, 0.0, -TABLE_Z]  # two beyond the table: computed exactly
    return z


@pytest.mark.parametrize(("name", "params", "bounds", "discrete"), LAWS, ids=IDS)
def test_a_stored_table_draws_exactly_the_computed_values(store: Path, name: str, params: dict[str, float],
                                                          bounds: Any, discrete: bool) -> None:
    computed = compile_inverse(name, params, bounds, discrete)
    assert isinstance(computed, ThresholdTable if discrete else HermiteTable)
    assert len(list(store.glob("*.npz"))) == 1
    inverse._compiled.cache_clear()
    read = compile_inverse(name, params, bounds, discrete)
    assert read is not computed
    assert isinstance(read, type(computed))
    assert isinstance(read.exact, LazyExact), "read from the store, not built from scipy"
    z = scores()
    assert np.array_equal(read(z), computed(z))


def test_a_warm_store_spares_the_scipy_stats_import(store: Path) -> None:
    """Two fresh processes: the first computes (and imports scipy.stats), the second reads the same table."""
    program = (
        "import json, sys\n"
        "import numpy as np\n"
        "from llmsynth.scaffold.inverse import compile_inverse\n"
        "z = np.linspace(-3, 3, 7)\n"
        "values = compile_inverse('beta', {'a': 5.0, 'b': 2.0}, None, False)(z)\n"
        "print(json.dumps({'scipy_stats': 'scipy.stats' in sys.modules, 'values': values.tolist()}))\n"
    )
    env = {**os.environ, "LLMSYNTH_CACHE": str(store.parent), "LLMSYNTH_INVERSE_CACHE": "1"}

    def run() -> dict[str, Any]:
        done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env, check=True)
        return dict(json.loads(done.stdout))

    cold, warm = run(), run()
    assert cold["scipy_stats"] is True
    assert warm["scipy_stats"] is False
    assert warm["values"] == cold["values"]
    assert 0.5 < cold["values"][3] < 0.9  # the median of beta(5, 2) is about 0.74


@pytest.mark.parametrize("damage", ["garbage", "truncated", "wrong-shape", "unknown-kind"])
def test_a_damaged_entry_is_computed_again(store: Path, damage: str) -> None:
    law = ("gamma", {"a": 2.0, "scale": 500.0}, None, False)
    computed = compile_inverse(*law)
    [path] = store.glob("*.npz")
    if damage == "garbage":
        path.write_bytes(b"not a table")
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:200])
    else:
        with np.load(path) as stored:
            arrays = dict(stored)
        if damage == "wrong-shape":
            arrays["coefficients"] = arrays["coefficients"][:3]
        else:
            arrays["kind"] = np.array("spline")
        with path.open("wb") as handle:
            np.savez(handle, **arrays)
    inverse._compiled.cache_clear()
    again = compile_inverse(*law)
    assert isinstance(again, HermiteTable)
    assert not isinstance(again.exact, LazyExact), "built again from scipy"
    z = scores()
    assert np.array_equal(again(z), computed(z))
    inverse._compiled.cache_clear()
    assert isinstance(compile_inverse(*law).exact, LazyExact), "the entry was written again, whole"


def test_the_store_keeps_the_most_recent_tables(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inverse_store, "MAX_ENTRIES", 2)
    for a in (2.0, 3.0, 4.0):
        compile_inverse("gamma", {"a": a}, None, False)
    assert len(list(store.glob("*.npz"))) == 2
    inverse._compiled.cache_clear()
    assert not isinstance(compile_inverse("gamma", {"a": 2.0}, None, False).exact, LazyExact), "the oldest went"
    inverse._compiled.cache_clear()
    assert isinstance(compile_inverse("gamma", {"a": 4.0}, None, False).exact, LazyExact)


def test_the_off_switch_and_an_unwritable_folder_only_mean_computing(store: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    law = ("beta", {"a": 2.0, "b": 5.0}, None, False)
    monkeypatch.setenv("LLMSYNTH_INVERSE_CACHE", "0")
    expected = compile_inverse(*law)(scores())
    assert not store.exists()
    inverse._compiled.cache_clear()
    blocked = store.parent / "a-file"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setenv("LLMSYNTH_CACHE", str(blocked))
    monkeypatch.setenv("LLMSYNTH_INVERSE_CACHE", "1")
    assert np.array_equal(compile_inverse(*law)(scores()), expected)


def test_laws_have_their_own_keys() -> None:
    base = ("beta", (("a", 2.0), ("b", 5.0)), None, False)
    keys = {
        inverse_store.law_key(*base),
        inverse_store.law_key("beta", (("a", 2.0), ("b", 5.5)), None, False),
        inverse_store.law_key("beta", (("a", 2.0), ("b", 5.0)), (0.1, None), False),
        inverse_store.law_key("gamma", (("a", 2.0), ("b", 5.0)), None, False),
        inverse_store.law_key("beta", (("a", 2.0), ("b", 5.0)), None, True),
    }
    assert len(keys) == 5
    assert inverse_store.law_key(*base) == inverse_store.law_key(*base)
