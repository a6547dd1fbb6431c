"""What the `llm` kind's options cost and buy, with the default model: the README's pydantic example
(zero-shot), then a field description, few-shot examples, free decoding with the JSON parser, and
`unique: true`, each on the same rows in one run (figures for docs/llm.md).

Run: .venv/bin/python benchmarks/bench_llm_options.py [--rows 32] [--model smollm2-135m]

Per setting: seconds, rows/s, generated tokens per row, first-pass validity, distinct jobs, the share
of jobs made of letters only (a crude junk filter: "1.5.1.12" fails it, an invented word passes), and
the first jobs written, to read.
The model is loaded once and a warm-up run compiles the grammar first, so loading is not timed.
"""

from __future__ import annotations

import argparse
import os
import re
import time
from typing import Any

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from llmsynth import generate_run, spec_from_dict
from llmsynth.backends.transformers_backend import TransformersBackend
from llmsynth.spec import ModelConfig

TITLE = re.compile(r"^[A-Za-z][A-Za-z .'&/-]*[A-Za-z]$")
EXAMPLES = [
    {"age": 29, "job": "Software tester", "segment": "budget"},
    {"age": 58, "job": "Pharmacist", "segment": "premium"},
    {"age": 37, "job": "Bus driver", "segment": "regular"},
]


def group(**changes: Any) -> dict[str, Any]:
    job: dict[str, Any] = {"type": "string", "max_length": 30}
    if changes.pop("describe", False):
        job["description"] = "a job title, e.g. Nurse"
    if changes.pop("unique", False):
        job["unique"] = True
    return {
        "kind": "llm",
        "prompt": "A customer aged {{ age }}.",
        "fields": {"job": job, "segment": {"type": "choice", "choices": ["budget", "regular", "premium"]}},
        **changes,
    }


SETTINGS: dict[str, dict[str, Any]] = {
    "zero-shot (README pydantic example)": group(),
    "+ description": group(describe=True),
    "+ description + 3 examples": group(describe=True, examples=EXAMPLES),
    "free decoding, json parser, 3 examples": group(describe=True, examples=EXAMPLES, decoding="free"),
    "3 examples + unique job": group(describe=True, examples=EXAMPLES, unique=True),
    "3 examples, temperature 0.6": {**group(describe=True, examples=EXAMPLES), "temperature": 0.6},
}


def spec_for(llm: dict[str, Any], rows: int, model: str) -> Any:
    llm = dict(llm)
    temperature = llm.pop("temperature", 0.9)  # a run setting, not a group option
    return spec_from_dict({
        "name": "options",
        "rows": rows,
        "seed": 11,
        "model": {"name": model},
        "generation": {"temperature": temperature},
        "columns": [{"name": "age", "kind": "integer", "low": 18, "high": 75}, llm],
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=32)
    parser.add_argument("--model", default="smollm2-135m")
    args = parser.parse_args()
    backend = TransformersBackend.from_config(ModelConfig(name=args.model))
    generate_run(spec_for(group(), 4, args.model), backend=backend)  # warm-up: kernels, grammar
    header = f"{'setting':<40} {'s':>6} {'rows/s':>7} {'tok/row':>7} {'valid 1st':>9} {'distinct':>8} {'letters':>7}"
    print(f"rows={args.rows} model={args.model} dtype={backend.loaded.dtype}")
    print(header)
    print("-" * len(header))
    for name, llm in SETTINGS.items():
        started = time.perf_counter()
        run = generate_run(spec_for(llm, args.rows, args.model), backend=backend)
        seconds = time.perf_counter() - started
        assert run.stats is not None
        record = run.stats.record()
        jobs = [str(j) for j in run.data["job"]]
        titles = sum(bool(TITLE.match(j)) for j in jobs) / max(len(jobs), 1)
        valid = record["first_pass_valid"] / max(record["llm_rows"], 1)
        print(f"{name:<40} {seconds:>6.1f} {len(jobs) / seconds:>7.2f} "
              f"{record['generated_tokens'] / max(record['llm_rows'], 1):>7.1f} {valid:>9.0%} "
              f"{len(set(jobs)):>8} {titles:>7.0%}")
        print(f"{'':<40} jobs: {', '.join(jobs[:6])}")


if __name__ == "__main__":
    main()
