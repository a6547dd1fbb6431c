"""Every GPU check issue 12 asks for, in one run: prepare it on the CPU with ``--device cpu --tiny``.

Run: .venv/bin/python benchmarks/gpu_checks.py [--device cuda] [--rows 256] [--batch-size 64]
     [--specs reference,wide] [--oom-rows 1024] [--json gpu.json] [--tiny]

1. A randomly initialised model of a real 1.5B architecture (Qwen2.5-1.5B's shapes: hidden 1536, 28
   layers, 12 query and 2 key/value heads, MLP 8960, tied embeddings) with the default model's tokenizer
   (so 49,152 tokens, 1.3B parameters), written as safetensors to a temporary folder. No weights can be
   brought to the machine, and random weights cost the same time per token: an honest speed test. The
   rows it writes are valid (the frame decoder forces them) but say nothing of quality.
2. ``benchmarks/bench_throughput.py`` on the default model and on that folder, each in one run: plain
   Outlines, llmsynth and free decoding on the same prompts, batch size and seed (``--no-startup``).
3. The out-of-memory back-off, for real: the 1.5B model decodes ``--oom-rows`` rows at that batch size
   while this process may use only the weights plus ``--oom-headroom-mib`` of the GPU, so the first
   batches run out of CUDA memory; it counts the back-offs and checks that every row came back valid.
   Skipped without CUDA.

``--tiny`` shrinks the architecture (hidden 128, 2 layers) for a dry run on the CPU. Prints markdown.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SHAPES_1_5B = {"hidden_size": 1536, "num_hidden_layers": 28, "num_attention_heads": 12,
               "num_key_value_heads": 2, "intermediate_size": 8960}
SHAPES_TINY = {"hidden_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
               "num_key_value_heads": 2, "intermediate_size": 256}
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "generation_config.json")


def default_model_folder() -> Path:
    """The default model's converted folder (its tokenizer files are reused)."""
    from llmsynth.models.gguf_cache import cached_folder
    from llmsynth.models.sources import locate
    from llmsynth.spec.model import ModelConfig

    return cached_folder(locate(ModelConfig().name))


def write_random_model(folder: Path, device: str, dtype: str, tiny: bool) -> dict[str, Any]:
    """A random Qwen2 of the 1.5B shapes (or tiny ones) with the default model's tokenizer, in ``folder``."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    source = default_model_folder()
    base = json.loads((source / "config.json").read_text())
    config = Qwen2Config(
        **(SHAPES_TINY if tiny else SHAPES_1_5B), vocab_size=base["vocab_size"], tie_word_embeddings=True,
        max_position_embeddings=32768, rope_theta=1_000_000.0, bos_token_id=base.get("bos_token_id"),
        eos_token_id=base.get("eos_token_id"), pad_token_id=base.get("pad_token_id"),
    )
    started = time.perf_counter()
    torch.manual_seed(0)
    with torch.device(device):
        model = Qwen2ForCausalLM(config).to(getattr(torch, dtype)).eval()
    model.save_pretrained(folder, safe_serialization=True)
    for name in TOKENIZER_FILES:
        if (source / name).exists():
            shutil.copy(source / name, folder / name)
    parameters = sum(p.numel() for p in model.parameters())
    del model
    if device.startswith("cuda"):
        torch.cuda.empty_cache()
    return {"parameters": parameters, "seconds": round(time.perf_counter() - started, 1), "folder": str(folder)}


def throughput(model: str, args: argparse.Namespace, out: Path) -> dict[str, Any]:
    """bench_throughput.py in its own process for one model; its JSON figures."""
    command = [sys.executable, str(HERE / "bench_throughput.py"), "--model", model, "--device", args.device,
               "--dtype", args.dtype, "--rows", str(args.rows), "--batch-size", str(args.batch_size),
               "--specs", args.specs, "--no-startup", "--json", str(out)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    print(done.stdout)
    if done.returncode != 0:
        print(done.stderr[-4000:])
        return {"model": model, "exit": done.returncode, "seconds": round(time.perf_counter() - started, 1)}
    return {"model": model, "exit": 0, "figures": json.loads(out.read_text())}


def oom_back_off(folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Rows at a batch size the GPU cannot hold within the allowed memory: back-offs counted, rows checked."""
    import torch

    from llmsynth import generate_run
    from llmsynth.backends.registry import create_backend
    from llmsynth.backends.transformers_backend import TransformersBackend
    from llmsynth.spec import spec_from_dict

    sys.path.insert(0, str(HERE))
    from _specs import REFERENCE

    spec = spec_from_dict({**REFERENCE, "model": {"name": str(folder), "device": args.device,
                                                  "dtype": args.dtype, "batch_size": args.oom_rows}})
    backend = create_backend(spec.model)
    weights = torch.cuda.memory_allocated()
    total = torch.cuda.get_device_properties(0).total_memory
    allowed = weights + args.oom_headroom_mib * 2**20
    torch.cuda.set_per_process_memory_fraction(allowed / total)
    backoffs = 0
    release = TransformersBackend._release_memory

    def counted(self: Any) -> None:
        nonlocal backoffs
        backoffs += 1
        release(self)

    TransformersBackend._release_memory = counted  # type: ignore[method-assign]
    started = time.perf_counter()
    try:
        run = generate_run(spec, rows=args.oom_rows, seed=0, backend=backend)
    finally:
        TransformersBackend._release_memory = release  # type: ignore[method-assign]
        torch.cuda.set_per_process_memory_fraction(1.0)
    assert run.stats is not None
    return {"rows": args.oom_rows, "written": len(run.data), "first_pass_valid": run.stats.llm.first_pass_valid,
            "backoffs": backoffs, "allowed_gib": round(allowed / 2**30, 2),
            "peak_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2),
            "seconds": round(time.perf_counter() - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--dtype", default="bfloat16", choices=["float32", "bfloat16", "float16"])
    parser.add_argument("--rows", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--specs", default="reference,wide")
    parser.add_argument("--oom-rows", type=int, default=1024)
    parser.add_argument("--oom-headroom-mib", type=int, default=256)
    parser.add_argument("--tiny", action="store_true", help="A 2-layer model: a dry run on the CPU.")
    parser.add_argument("--json", dest="json_path", default=None)
    args = parser.parse_args()

    record: dict[str, Any] = {"settings": vars(args)}
    with tempfile.TemporaryDirectory(prefix="llmsynth-gpu-") as work:
        folder = Path(work) / "random-qwen2"
        record["random_model"] = write_random_model(folder, args.device, args.dtype, args.tiny)
        print(f"## random Qwen2 ({record['random_model']['parameters']:,} parameters) written in "
              f"{record['random_model']['seconds']} s\n")
        record["default_model"] = throughput("smollm2-135m", args, Path(work) / "default.json")
        record["random_qwen2"] = throughput(str(folder), args, Path(work) / "random.json")
        if args.device.startswith("cuda"):
            record["oom_back_off"] = oom_back_off(folder, args)
            print("## OOM back-off\n")
            print(" | ".join(f"{k} {v}" for k, v in record["oom_back_off"].items()))
        else:
            record["oom_back_off"] = {"skipped": "needs CUDA"}
            print("## OOM back-off: skipped (needs CUDA)")
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
