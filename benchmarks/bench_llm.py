"""Rows/s and tokens/s of the LLM step with the default model, at a few batch sizes and dtypes.

Run: .venv/bin/python benchmarks/bench_llm.py [--rows 64] [--batch-sizes 8,32] [--dtypes float32,bfloat16]
     [--decoding constrained] [--model smollm2-135m] [--device auto]

Each setting fills the same customer-profile group (three fields, ~160-token chat prompts) through
LLMFiller, so the numbers include prompt rendering, grammar masking and validation: what a run sees.
A warm-up fill runs first so model loading and grammar compilation are not timed.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import pandas as pd

from llmsynth.backends.transformers_backend import TransformersBackend
from llmsynth.engine.llm_step import LLMFiller
from llmsynth.spec import DatasetSpec, ModelConfig, spec_from_dict

GROUP = {
    "kind": "llm",
    "name": "profile",
    "system": "You write short, realistic customer records for a retail dataset.",
    "prompt": "Customer aged {{ age }} from {{ country }}. Give their job, segment and a short note.",
    "fields": {
        "job": {"type": "string", "max_length": 24},
        "segment": {"type": "choice", "choices": ["budget", "regular", "premium"]},
        "note": {"type": "string", "max_length": 40},
    },
}


def make_spec(model: ModelConfig, decoding: str) -> DatasetSpec:
    return spec_from_dict({
        "seed": 0,
        "model": model.model_dump(),
        "generation": {"retries": 1},
        "columns": [
            {"name": "age", "kind": "uniform", "low": 18, "high": 80},
            {"name": "country", "kind": "categorical", "categories": {"USA": 0.5, "Japan": 0.5}},
            {**GROUP, "decoding": decoding},
        ],
    })


def make_frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    countries = np.array(["USA", "Japan", "Brazil", "Kenya", "France", "India"])
    return pd.DataFrame({"age": rng.integers(18, 80, rows), "country": countries[rng.integers(0, 6, rows)]})


def run(args: argparse.Namespace) -> None:
    frame = make_frame(args.rows)
    print(f"rows={args.rows} decoding={args.decoding} model={args.model} torch threads: default")
    header = f"{'dtype':>9} {'batch':>5} {'seconds':>8} {'rows/s':>7} {'gen tok/s':>9} {'tok/row':>7} {'valid 1st':>9}"
    print(header)
    print("-" * len(header))
    for dtype in args.dtypes.split(","):
        config = ModelConfig(name=args.model, device=args.device, dtype=dtype)  # type: ignore[arg-type]
        backend = TransformersBackend.from_config(config)
        spec = make_spec(config, args.decoding)
        group = spec.llm_groups()[0]
        LLMFiller(spec, backend).fill(group, frame.iloc[:4], chunk=99)  # warm-up: grammar, kernels
        for batch in (int(b) for b in args.batch_sizes.split(",")):
            backend.batch_size = batch
            started = time.perf_counter()
            _, _, stats = LLMFiller(spec, backend).fill(group, frame, chunk=0)
            seconds = time.perf_counter() - started
            print(
                f"{dtype:>9} {batch:>5} {seconds:>8.1f} {args.rows / seconds:>7.2f} "
                f"{stats.generated_tokens / seconds:>9.1f} {stats.generated_tokens / args.rows:>7.1f} "
                f"{stats.first_pass_valid / args.rows:>9.0%}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=64)
    parser.add_argument("--batch-sizes", default="8,32")
    parser.add_argument("--dtypes", default="float32,bfloat16")
    parser.add_argument("--decoding", choices=["constrained", "free"], default="constrained")
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--device", default="auto")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
