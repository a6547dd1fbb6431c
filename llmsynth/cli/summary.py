"""What ``llmsynth generate`` prints when a run is done: rows, speed, the LLM counters, where the run
record and rejects went (the decoder's figures in full with --explain)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from llmsynth.cli.explain import print_decoding

if TYPE_CHECKING:
    from rich.console import Console

    from llmsynth.api import GenerationRun


def print_summary(console: Console, run: GenerationRun, output: Path, *, hf: bool, explain: bool) -> None:
    """One line per fact a user checks after a run; nothing for a run without counters."""
    if run.stats is None:
        return
    if hf:
        console.print(f"wrote {len(run.data)} rows as a Hugging Face dataset to {output} (datasets.load_from_disk)",
                      soft_wrap=True)
        console.print(f"run record: {run.record_path}; rejects: {run.rejects_path}")
        return
    record = run.stats.record()
    resumed = f", resumed {record['resumed']}x" if record["resumed"] else ""
    console.print(
        f"wrote {record['rows_written']} rows to {output} in {record['seconds']:.1f} s{resumed} "
        f"({record['rows_per_s']:.2f} rows/s"
        + (f", {record['tokens_per_s']:.0f} tokens/s" if record["generated_tokens"] else "")
        + ")"
    )
    if record["llm_rows"]:
        console.print(
            f"LLM rows: {record['llm_rows']}, first-pass valid {record['first_pass_valid']}, "
            f"retries {record['retries']}, rejected {record['rejected']}"
        )
    elif record["rejected"]:
        console.print(f"rejected rows: {record['rejected']}")
    print_decoding(console, record, explain=explain)
    console.print(f"run record: {run.record_path}; rejects: {run.rejects_path}")
