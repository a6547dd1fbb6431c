"""The long fuzz run: 10,000+ hypothesis cases per target (spec loader, template checks, every parser,
the table validator; targets in tests/fuzzing.py), then every hostile spec of tests/hostile.py through
``llmsynth validate``. Prints the two tables of the README: cases per target, and attacks refused by class.

Run: .venv/bin/python benchmarks/fuzz.py [--cases 10000] [--only parser] [--seed 1] [--json fuzz.json]
A target that finds a bug prints hypothesis' smallest failing input; fix it, then rerun.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the targets and attacks live with the tests: tests.fuzzing, tests.hostile

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

from tests.fuzzing import TARGETS  # noqa: E402
from tests.hostile import ATTACKS  # noqa: E402


def fuzz(name: str, cases: int, run_seed: int) -> dict[str, Any]:
    """Run one target for ``cases`` generated inputs; count the calls, the slowest and the failures."""
    target, strategies = TARGETS[name]
    calls = {"n": 0, "slowest": 0.0}

    def counted(**inputs: Any) -> None:
        started = time.perf_counter()
        try:
            target(**inputs)
        finally:
            calls["n"] += 1
            calls["slowest"] = max(calls["slowest"], time.perf_counter() - started)

    test = seed(run_seed)(
        settings(max_examples=cases, deadline=None, database=None, suppress_health_check=list(HealthCheck))(
            given(**strategies)(counted)
        )
    )
    started = time.perf_counter()
    failures: list[str] = []
    try:
        test()
    except Exception as exc:  # hypothesis re-raises the (shrunk) failure; a group when there are several
        found = exc.exceptions if isinstance(exc, BaseExceptionGroup) else [exc]
        failures = ["".join(traceback.format_exception_only(type(e), e)).strip() for e in found]
    return {
        "target": name,
        "cases": calls["n"],
        "failures": len(failures),
        "details": failures,
        "seconds": round(time.perf_counter() - started, 1),
        "slowest_case_s": round(calls["slowest"], 3),
    }


def attacks() -> list[dict[str, Any]]:
    """Every hostile spec through ``llmsynth validate``: refused (exit 2, the expected words, no traceback)?"""
    from typer.testing import CliRunner

    from llmsynth.cli.main import app

    runner = CliRunner()
    results = []
    for attack in ATTACKS:
        with tempfile.TemporaryDirectory() as folder:
            spec = attack.write(Path(folder))
            started = time.perf_counter()
            result = runner.invoke(app, ["validate", str(spec)])
            seconds = time.perf_counter() - started
        refused = result.exit_code == 2 and attack.refusal in result.output and "Traceback" not in result.output
        results.append({"kind": attack.kind, "name": attack.name, "refused": refused, "seconds": seconds,
                        "message": result.output.strip().splitlines()[-1] if result.output.strip() else ""})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10_000, help="generated inputs per target")
    parser.add_argument("--only", default="", help="run the targets whose name contains this text")
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100_000, help="hypothesis seed")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    machine = platform.processor() or platform.machine()
    print(f"# fuzz run: {args.cases:,} cases per target, seed {args.seed}, {machine}")
    rows = []
    for name in TARGETS:
        if args.only and args.only not in name:
            continue
        row = fuzz(name, args.cases, args.seed)
        rows.append(row)
        print(f"{row['target']:<26} {row['cases']:>7,} cases  {row['failures']} failures  {row['seconds']:>7.1f} s  "
              f"slowest case {row['slowest_case_s']:.3f} s", flush=True)
        for detail in row["details"]:
            print("    " + detail.replace("\n", "\n    "))
    print("\n| target | cases run | failures | time (s) | slowest case (s) |\n|---|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['target']} | {row['cases']:,} | {row['failures']} | {row['seconds']} | "
              f"{row['slowest_case_s']} |")

    refused = attacks()
    print("\n| class | attacks | refused by `validate` | slowest (s) |\n|---|---:|---:|---:|")
    kinds = dict.fromkeys(r["kind"] for r in refused)
    for kind in kinds:
        group = [r for r in refused if r["kind"] == kind]
        print(f"| {kind} | {len(group)} | {sum(r['refused'] for r in group)} | "
              f"{max(r['seconds'] for r in group):.2f} |")
    for miss in (r for r in refused if not r["refused"]):
        print(f"NOT REFUSED: {miss['kind']}: {miss['name']}: {miss['message']}")
    if args.json:
        args.json.write_text(json.dumps({"seed": args.seed, "targets": rows, "attacks": refused}, indent=2))


if __name__ == "__main__":
    main()
