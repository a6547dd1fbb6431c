"""Throughput of the LLM step against plain Outlines and free decoding, in one run (issue 12).

Run: .venv/bin/python benchmarks/bench_throughput.py [--rows 64] [--batch-size 64]
     [--dtype float32] [--specs reference,wide,customers] [--json out.json] [--no-startup]
     [--preview-rounds 3]

For every spec, on the same model object type, prompts, batch size and seed, three paths each run in a
fresh child process (so peak RSS is that path's own):
  outlines  plain Outlines: ``from_transformers(model, tokenizer)``, ``Generator(m, Row, "xgrammar")``,
            ``generator.batch(prompts)`` on the equivalent pydantic model, fed the engine's prompt texts
  llmsynth  ``llmsynth.generate_run(spec, rows, seed)`` on the same fields
  free      ``model.generate`` sampling without any processor, exactly as many new tokens per row as
            llmsynth generated on average (the model's ceiling on this machine)
Model loading, grammar compilation and one warm-up batch happen before the clock starts and are not
timed. Then, unless --no-startup: a warm model load in a fresh process and the wall time of
``llmsynth preview examples/customers.yaml -n 5`` (--preview-rounds runs of each runtime, alternating; the
median and the range are printed, so one noisy run does not decide the figure). Prints markdown tables
to stdout.
Generated tokens: the answers re-tokenised plus an end token for Outlines and llmsynth (the engine's own
counter, printed beside, also counts the tokens it feeds without sampling), new tokens for free decoding.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

from _common import (
    ROOT,
    NamedSpec,
    Settings,
    batches,
    build_spec,
    chunk_size,
    engine_prompt_texts,
    llm_group,
    machine,
    named_spec,
    pydantic_row_model,
    scaffold_frame,
)
from pydantic import ValidationError

from llmsynth.models.loading import set_openmp_wait_policy

# decided the way the library decides it: PASSIVE, once set here, is inherited by every path's process; on an
# idle machine nothing is set and each path's process decides again by the same rule (load above the cores)
WAIT_POLICY = set_openmp_wait_policy()

WARMUP_ROWS = 2
OUTLINES_WHITESPACE_ROOM = 32  # Outlines' JSON grammar allows free whitespace; the engine's bound does not


def peak_rss_mib() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def isolated(function: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run one measurement in a fresh spawned process, so its memory peak is its own."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def sampling(spec: Any) -> dict[str, Any]:
    """The same sampling arguments for the peers as the engine passes to ``model.generate``."""
    temperature, top_p = spec.generation.temperature, spec.generation.top_p
    if temperature <= 0:
        return {"do_sample": False}
    return {"do_sample": True, "temperature": temperature, "top_p": top_p, "top_k": None}


def load_transformers(spec: Any) -> tuple[Any, Any]:
    """transformers' model and tokenizer for the peers (Outlines and free sampling need transformers' own)."""
    from llmsynth.models.loading import load_model

    loaded = load_model(spec.model.model_copy(update={"runtime": "transformers"}))
    return loaded.model, loaded.tokenizer


def answer_budget(group: Any) -> int:
    """New tokens enough for the group's longest compact JSON answer: the engine's own bound while it has
    one, else a generous one (a token covers at least a character; 32 for a key's quotes and any value
    that is not a string)."""
    try:
        from llmsynth.engine.rowschema import max_answer_tokens
    except ImportError:
        return sum(len(s.name) + 32 + (s.max_length or 0) for s in group.column_schemas()) + 3
    return int(max_answer_tokens(group.column_schemas()))


def result(path: str, asked: int, rows: int, valid: int, first_pass: int, seconds: float, generated: int,
           prompt: int, rss_before: float, **notes: Any) -> dict[str, Any]:
    """One path's figures; ``rows`` is what it returned (rows/s counts those), ``valid`` of ``asked``."""
    return {
        "path": path, "asked": asked, "rows": rows, "valid": valid, "first_pass_valid": first_pass,
        "seconds": seconds,
        "generated_tokens": generated, "prompt_tokens": prompt, "rows_per_s": rows / seconds,
        "tokens_per_s": generated / seconds, "tokens_per_row": generated / max(rows, 1),
        "peak_rss_mib": peak_rss_mib(), "rss_growth_mib": peak_rss_mib() - rss_before, **notes,
    }


def outlines_path(named: NamedSpec, settings: Settings) -> dict[str, Any]:
    """Plain Outlines on the equivalent pydantic model, xgrammar backend, the engine's prompt texts."""
    import outlines
    import torch

    spec = build_spec(named, settings)
    group = llm_group(spec)
    hf_model, tokenizer = load_transformers(spec)
    prompts = engine_prompt_texts(spec, scaffold_frame(named, settings), tokenizer)
    model = outlines.from_transformers(hf_model, tokenizer)
    # Outlines wraps a plain string in a user turn when the tokenizer has a chat template; these strings
    # are already the rendered chats the engine uses, so they must reach the tokenizer unchanged
    model.type_adapter.has_chat_template = False
    assert model.type_adapter.format_input(prompts[0]) == prompts[0]
    row_model = pydantic_row_model(group)
    generator = outlines.Generator(model, row_model, backend="xgrammar")
    budget = answer_budget(group) + OUTLINES_WHITESPACE_ROOM
    options = {"max_new_tokens": budget, **sampling(spec)}
    generator.batch(prompts[:WARMUP_ROWS], **options)
    rss_before = peak_rss_mib()
    torch.manual_seed(settings.seed)
    started = time.perf_counter()
    texts: list[str] = []
    for batch in batches(prompts, chunk_size(spec), settings.batch_size):
        texts.extend(generator.batch(batch, **options))
    seconds = time.perf_counter() - started
    valid = sum(_valid_json(row_model, text) for text in texts)
    generated = sum(len(tokenizer(t, add_special_tokens=False)["input_ids"]) + 1 for t in texts)
    prompt_tokens = sum(len(ids) for ids in tokenizer(prompts, add_special_tokens=False)["input_ids"])
    return result("outlines", len(prompts), len(texts), valid, valid, seconds, generated, prompt_tokens, rss_before,
                  max_new_tokens=budget)


def _valid_json(row_model: Any, text: str) -> bool:
    try:
        row_model.model_validate_json(text)
    except ValidationError:
        return False
    return True


def llmsynth_path(named: NamedSpec, settings: Settings) -> dict[str, Any]:
    """llmsynth's engine through the public API; the backend is built first so loading is not timed."""
    from llmsynth import generate_run
    from llmsynth.backends.registry import create_backend

    spec = build_spec(named, settings)
    group = llm_group(spec)
    backend = create_backend(spec.model)
    generate_run(spec, rows=WARMUP_ROWS, seed=settings.seed + 1, backend=backend)
    rss_before = peak_rss_mib()
    started = time.perf_counter()
    run = generate_run(spec, rows=settings.rows, seed=settings.seed, backend=backend)
    seconds = time.perf_counter() - started
    row_model = pydantic_row_model(group)
    answers = [{k: _plain(v) for k, v in a.items()} for a in run.data[list(group.fields)].to_dict("records")]
    valid = sum(_valid_row(row_model, answer) for answer in answers)
    assert run.stats is not None
    llm = run.stats.llm
    tokenizer = backend.tokenizer
    prompts = engine_prompt_texts(spec, scaffold_frame(named, settings), tokenizer)
    prompt_tokens = sum(len(ids) for ids in tokenizer(prompts, add_special_tokens=False)["input_ids"])
    return result("llmsynth", settings.rows, len(run.data), valid, llm.first_pass_valid, seconds,
                  answer_tokens(tokenizer, answers), prompt_tokens, rss_before, llm_seconds=llm.seconds,
                  engine_generated_tokens=llm.generated_tokens, engine_prompt_tokens=llm.prompt_tokens)


def answer_tokens(tokenizer: Any, answers: list[dict[str, Any]]) -> int:
    """Tokens of the rows as compact JSON answers plus an end token each, re-tokenised the way Outlines'
    answers are: the engine's own counter also counts what it feeds the model without sampling (the
    row's prompt suffix, forced frame text, scored candidates), which free decoding has no match for."""
    texts = [json.dumps(a, ensure_ascii=False, separators=(",", ":")) for a in answers]
    return sum(len(ids) + 1 for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]) if texts else 0


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _valid_row(row_model: Any, answer: dict[str, Any]) -> bool:
    try:
        row_model.model_validate(answer)
    except ValidationError:
        return False
    return True


def free_path(named: NamedSpec, settings: Settings, tokens_per_row: int) -> dict[str, Any]:
    """Sampling without a processor: exactly ``tokens_per_row`` new tokens for every row."""
    import torch

    spec = build_spec(named, settings)
    model, tokenizer = load_transformers(spec)
    prompts = engine_prompt_texts(spec, scaffold_frame(named, settings), tokenizer)
    encoded = tokenizer(prompts, add_special_tokens=False)["input_ids"]
    options = {**sampling(spec), "max_new_tokens": tokens_per_row, "min_new_tokens": tokens_per_row,
               "pad_token_id": tokenizer.pad_token_id}

    def run(ids: list[list[int]]) -> int:
        padded = tokenizer.pad({"input_ids": ids}, padding=True, return_tensors="pt").to(model.device)
        with torch.inference_mode():
            out = model.generate(**padded, **options)
        return int(out.shape[0] * (out.shape[1] - padded["input_ids"].shape[1]))

    run(encoded[:WARMUP_ROWS])
    rss_before = peak_rss_mib()
    torch.manual_seed(settings.seed)
    started = time.perf_counter()
    generated = 0
    for batch in batches(encoded, chunk_size(spec), settings.batch_size):
        generated += run(sorted(batch, key=len, reverse=True))  # length-sorted, as the engine does
    seconds = time.perf_counter() - started
    n = len(prompts)
    return result("free", n, n, n, n, seconds, generated, sum(map(len, encoded)), rss_before)


def startup(settings: Settings, runtime: str) -> dict[str, Any]:
    """A warm model load in a fresh process: the imports the runtime needs (torch, safetensors and tokenizers
    for llmsynth's own Llama forward; transformers and the architecture's code for transformers) timed apart
    from ``load_model`` itself (weights from the cached conversion, and the tokenizer)."""
    from llmsynth.models.gguf_cache import cached_folder
    from llmsynth.models.loading import load_model
    from llmsynth.models.sources import locate
    from llmsynth.spec import ModelConfig

    started = time.perf_counter()
    import torch  # noqa: F401

    if runtime == "transformers":
        from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer  # noqa: F401

        architecture = AutoConfig.from_pretrained(cached_folder(locate(settings.model)))
        AutoModelForCausalLM._model_mapping[type(architecture)]  # resolving the class imports the architecture
    else:
        import safetensors.torch  # noqa: F401
        import tokenizers  # noqa: F401

        import llmsynth.backends.native_llama  # noqa: F401
    imports = time.perf_counter() - started
    config = ModelConfig(name=settings.model, dtype=settings.dtype, device=settings.device,  # type: ignore[arg-type]
                         runtime=runtime)  # type: ignore[arg-type]
    started = time.perf_counter()
    loaded = load_model(config)
    return {"runtime": loaded.runtime, "import_s": imports, "load_model_s": time.perf_counter() - started}


def preview_wall(runtime: str) -> dict[str, Any]:
    """Wall time of ``llmsynth preview examples/customers.yaml -n 5`` at its defaults, as a user runs it
    (for the transformers runtime, a copy of the spec that asks for it)."""
    import tempfile

    import yaml

    spec = ROOT / "examples" / "customers.yaml"
    with tempfile.TemporaryDirectory() as folder:
        if runtime != "auto":
            settings = yaml.safe_load(spec.read_text(encoding="utf-8"))
            settings["model"]["runtime"] = runtime
            spec = Path(folder) / "customers.yaml"
            spec.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
        command = [sys.executable, "-m", "llmsynth", "preview", str(spec), "-n", "5"]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    return {"runtime": runtime, "preview_wall_s": time.perf_counter() - started,
            "preview_exit_code": done.returncode,
            "preview_error": done.stderr.strip().splitlines()[-1:] if done.returncode else []}


def measure_spec(named: NamedSpec, settings: Settings) -> dict[str, Any]:
    """The three paths on one spec, each in its own process, and their ratios."""
    print(f"... {named.name}: outlines", file=sys.stderr, flush=True)
    peer = isolated(outlines_path, named, settings)
    print(f"... {named.name}: llmsynth", file=sys.stderr, flush=True)
    ours = isolated(llmsynth_path, named, settings)
    tokens_per_row = max(1, round(ours["tokens_per_row"]))
    print(f"... {named.name}: free decoding, {tokens_per_row} tokens a row", file=sys.stderr, flush=True)
    free = isolated(free_path, named, settings, tokens_per_row)
    return {
        "spec": named.name, "paths": [peer, ours, free],
        "llmsynth_over_outlines_rows": ours["rows_per_s"] / peer["rows_per_s"],
        "llmsynth_over_free_tokens": ours["tokens_per_s"] / free["tokens_per_s"],
        "outlines_over_free_tokens": peer["tokens_per_s"] / free["tokens_per_s"],
    }


def spec_table(measured: dict[str, Any]) -> str:
    lines = [
        f"### {measured['spec']}",
        "",
        "| path | rows/s | generated tokens/s | tokens/row | prompt tokens/row | valid | first-pass valid "
        "| seconds | peak RSS MiB | RSS growth while timed MiB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for p in measured["paths"]:
        lines.append(
            f"| {p['path']} | {p['rows_per_s']:.2f} | {p['tokens_per_s']:.1f} | {p['tokens_per_row']:.1f} "
            f"| {p['prompt_tokens'] / max(p['rows'], 1):.0f} | {p['valid']}/{p['asked']} "
            f"| {p['first_pass_valid']}/{p['asked']} "
            f"| {p['seconds']:.1f} | {p['peak_rss_mib']:.0f} | {p['rss_growth_mib']:.0f} |"
        )
    ours = measured["paths"][1]
    per_row = max(ours["rows"], 1)
    lines += [
        "",
        "Generated tokens: answers re-tokenised plus an end token (outlines, llmsynth), new tokens (free). "
        f"llmsynth's own counters: {ours['engine_generated_tokens'] / per_row:.1f} tokens/row through the "
        "model after the shared prefix (prompt suffix, forced frame text, scored candidates), "
        f"{ours['engine_prompt_tokens'] / per_row:.0f} prompt tokens/row (the shared prefix counted once a call).",
        "",
        f"llmsynth / outlines rows/s: **{measured['llmsynth_over_outlines_rows']:.2f}x**; "
        f"generated-token rate vs free decoding: llmsynth {measured['llmsynth_over_free_tokens']:.2f}x, "
        f"outlines {measured['outlines_over_free_tokens']:.2f}x",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--dtype", default="float32", choices=["float32", "bfloat16", "float16"])
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--temperature", type=float, default=None, help="Default: each spec's own.")
    parser.add_argument("--top-p", type=float, default=None, help="Default: each spec's own.")
    parser.add_argument("--specs", default="reference,wide,customers",
                        help="Comma-separated built-in names (reference, wide, zero_shot, reviews, weighted, "
                             "customers) or YAML paths.")
    parser.add_argument("--json", dest="json_path", default=None, help="Also write the figures to this file.")
    parser.add_argument("--no-startup", action="store_true", help="Skip the warm-load and preview timings.")
    parser.add_argument("--preview-rounds", type=int, default=3, help="Preview runs per runtime (median shown).")
    args = parser.parse_args()
    settings = Settings(model=args.model, dtype=args.dtype, device=args.device, batch_size=args.batch_size,
                        rows=args.rows, seed=args.seed, temperature=args.temperature, top_p=args.top_p)
    print(f"## LLM throughput: {settings.rows} rows, batch {settings.batch_size}, {settings.dtype}, "
          f"model {settings.model} on {settings.device}, seed {settings.seed}\n")
    print(f"Machine: {machine()}; OpenMP wait policy {WAIT_POLICY or 'the runtime default'}. Model load, grammar "
          f"compilation and a {WARMUP_ROWS}-row warm-up are not "
          "timed; each path runs in its own process.\n")
    specs = [named_spec(name.strip()) for name in args.specs.split(",") if name.strip()]
    measured = []
    for named in specs:
        measured.append(measure_spec(named, settings))
        print(spec_table(measured[-1]), flush=True)
    extra: dict[str, Any] = {}
    if not args.no_startup:
        print("### start-up\n")
        print("| runtime | imports s | warm model load s | `preview examples/customers.yaml -n 5` s wall, median "
              "(range) | exit |")
        print("|---|---|---|---|---|")
        extra = {"startup": [], "preview": []}
        runtimes = ("auto", "transformers")
        loads = {runtime: isolated(startup, settings, runtime) for runtime in runtimes}
        previews: dict[str, list[dict[str, Any]]] = {runtime: [] for runtime in runtimes}
        for _ in range(max(1, args.preview_rounds)):  # alternating, each in a fresh process
            for runtime in runtimes:
                previews[runtime].append(preview_wall(runtime))
        for runtime in runtimes:
            walls = sorted(p["preview_wall_s"] for p in previews[runtime])
            exits = sorted({p["preview_exit_code"] for p in previews[runtime]})
            extra["startup"].append(loads[runtime])
            extra["preview"].extend(previews[runtime])
            print(f"| {loads[runtime]['runtime']} | {loads[runtime]['import_s']:.2f} "
                  f"| {loads[runtime]['load_model_s']:.2f} | {statistics.median(walls):.1f} "
                  f"({walls[0]:.1f}-{walls[-1]:.1f}) | {','.join(map(str, exits))} |", flush=True)
    if args.json_path:
        record = {"settings": asdict(settings), "machine": machine(), "specs": measured, "startup": extra}
        with open(args.json_path, "w", encoding="utf-8") as handle:
            json.dump(record, handle, indent=2)


if __name__ == "__main__":
    main()
