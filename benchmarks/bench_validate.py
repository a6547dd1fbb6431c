"""Rows per second of ``validate_table`` on a 10-column generated-like table (target: >= 500,000 rows/s).

Run: .venv/bin/python benchmarks/bench_validate.py [--rows 1000000] [--repeat 3]
Also times three ways to check a column pattern, which is how the validator's choice was made.
"""

from __future__ import annotations

import argparse
import re
import time

import numpy as np
import pandas as pd
import re2

from llmsynth.parsers import validate_table
from llmsynth.spec.schema import ColumnSchema, SumConstraint

PATTERN = r"[A-Z][a-zé]+ [A-Z]\."


def make_table(n: int, seed: int = 0) -> tuple[pd.DataFrame, list[ColumnSchema], list[SumConstraint]]:
    rng = np.random.default_rng(seed)
    first = np.array(["Ana", "Ben", "Chloé", "Dmitri", "Eun", "Farah", "Gus", "Hiro", "Ines", "Jon"])
    names = (
        pd.Series(first[rng.integers(0, 10, n)])
        + " "
        + pd.Series(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))[rng.integers(0, 26, n)].to_numpy()
        + "."
    )
    shares = rng.dirichlet([2.0, 3.0, 5.0], n) * 100
    frame = pd.DataFrame(
        {
            "id": np.arange(n),
            "name": names.to_numpy(),
            "age": rng.integers(18, 71, n),
            "income": rng.lognormal(10, 0.5, n).round(2),
            "country": rng.choice(["USA", "France", "Japan", "Brazil", "Kenya"], n),
            "member": rng.random(n) < 0.3,
            "joined": pd.Series(pd.date_range("2015-01-01", periods=3000, freq="D").strftime("%Y-%m-%d"))[
                rng.integers(0, 3000, n)
            ].to_numpy(),
            "rent": shares[:, 0],
            "food": shares[:, 1],
            "other": shares[:, 2],
        }
    )
    schemas = [
        ColumnSchema(name="id", type="integer", minimum=0, unique=True),
        ColumnSchema(name="name", type="string", pattern=PATTERN, max_length=40),
        ColumnSchema(name="age", type="integer", minimum=18, maximum=70),
        ColumnSchema(name="income", type="number", minimum=0),
        ColumnSchema(name="country", type="choice", choices=("USA", "France", "Japan", "Brazil", "Kenya")),
        ColumnSchema(name="member", type="boolean"),
        ColumnSchema(name="joined", type="date"),
        ColumnSchema(name="rent", type="number", minimum=0, maximum=100),
        ColumnSchema(name="food", type="number", minimum=0, maximum=100),
        ColumnSchema(name="other", type="number", minimum=0, maximum=100),
    ]
    return frame, schemas, [SumConstraint(columns=("rent", "food", "other"), total=100, tolerance=1e-6)]


def distinct_names(frame: pd.DataFrame) -> pd.Series:
    """Names that match PATTERN but all differ (the id spelled in letters inside the first name)."""
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    ids = frame["id"].to_numpy()
    spelled = pd.Series([""] * len(ids), dtype="str")
    for k in range(5):
        spelled = spelled + letters[(ids // 26**k) % 26]
    first, last = frame["name"].str.split(" ", n=1).str[0], frame["name"].str.split(" ", n=1).str[1]
    return first + spelled + " " + last


def best_of(repeat: int, fn: object) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def compare_patterns(text: pd.Series, repeat: int) -> None:
    compiled_re2, compiled_re = re2.compile(PATTERN), re.compile(PATTERN)

    def re2_unique() -> np.ndarray:
        codes, uniques = pd.factorize(text)
        ok = np.fromiter((compiled_re2.fullmatch(v) is not None for v in uniques), bool, len(uniques))
        return ok[codes]

    def re2_each() -> list[bool]:
        return [compiled_re2.fullmatch(v) is not None for v in text]

    candidates = {
        "pandas .str.fullmatch (Arrow string dtype)": lambda: text.str.fullmatch(PATTERN),
        "pandas .str.fullmatch (object dtype, Python re)": lambda: text.astype(object).str.fullmatch(
            compiled_re
        ),
        "re2 once per distinct value (factorize)": re2_unique,
        "re2 on every value": re2_each,
    }
    for label, fn in candidates.items():
        seconds = best_of(repeat, fn)
        print(f"  pattern check, {label:<48} {len(text) / seconds:>14,.0f} rows/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    frame, schemas, constraints = make_table(args.rows)
    result = validate_table(frame, schemas, constraints)
    assert result.n_valid == args.rows, result.reasons_count()  # the benchmark table is valid by construction
    seconds = best_of(args.repeat, lambda: validate_table(frame, schemas, constraints))
    shape = f"{args.rows:,} rows x {frame.shape[1]} columns"
    print(f"validate_table: {shape} in {seconds:.3f} s (best of {args.repeat})")
    print(f"validate_table: {args.rows / seconds:,.0f} rows/s")
    broken = frame.copy()
    broken.loc[::10, "age"] = 200
    broken.loc[::7, "country"] = "Narnia"
    seconds = best_of(args.repeat, lambda: validate_table(broken, schemas, constraints))
    print(f"validate_table with 24% invalid rows: {args.rows / seconds:,.0f} rows/s")
    distinct = frame.assign(name=distinct_names(frame))
    seconds = best_of(args.repeat, lambda: validate_table(distinct, schemas, constraints))
    print(f"validate_table with all names distinct: {args.rows / seconds:,.0f} rows/s")
    print("pattern check, 260 distinct values:")
    compare_patterns(frame["name"], args.repeat)
    print("pattern check, all values distinct:")
    compare_patterns(distinct_names(frame), args.repeat)


if __name__ == "__main__":
    main()
