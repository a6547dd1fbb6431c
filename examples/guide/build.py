"""Build the guide: every example's table and picture into examples/guide/pictures/ (git-ignored),
the reference tables into examples/guide/data/, and the small README pictures into docs/images/.

Run with ``make examples`` or ``.venv/bin/python examples/guide/build.py [--no-model] [--only 04]``.
Example 7 loads the default language model (about a minute on a laptop CPU); ``--no-model`` skips it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

import llmsynth
from llmsynth.evals import EvalReport
from llmsynth.io import write_table
from llmsynth.plots import save_plot

GUIDE = Path(__file__).resolve().parent
ROOT = GUIDE.parents[1]
PICTURES = GUIDE / "pictures"
DATA = GUIDE / "data"
IMAGES = ROOT / "docs" / "images"
README_IMAGE_LIMIT = 80_000  # bytes; README pictures are committed, so they stay small

# reference specs first: the examples read their output
REFERENCES = ("02_waiting_reference", "05_clusters_reference", "06_tree_reference", "12_people_reference")
EXAMPLES = (
    "01_normal", "02_monte_carlo", "03_mvnormal", "04_linear", "05_mixture", "06_tree", "07_llm_table",
    "08_fixed_total", "09_correlation", "10_random_graph", "11_arma", "12_responsible_use",
)
# example -> README picture (drawn smaller)
README_PICTURES = {
    "01_normal": "guide_normal.png",
    "04_linear": "guide_linear.png",
    "05_mixture": "guide_mixture.png",
    "09_correlation": "guide_correlation.png",
    "10_random_graph": "guide_graph.png",
    "11_arma": "guide_arma.png",
}


def build_references() -> None:
    for name in REFERENCES:
        table = llmsynth.generate(GUIDE / f"{name}.yaml")
        write_table(table, DATA / f"{name}.csv")
        print(f"  reference {name}: {len(table)} rows -> {(DATA / f'{name}.csv').relative_to(ROOT)}")


def build_example(name: str) -> pd.DataFrame:
    spec = llmsynth.load_spec(GUIDE / f"{name}.yaml")
    data = llmsynth.generate(spec)
    write_table(data, PICTURES / f"{name}.csv")
    picture = save_plot(data, PICTURES / f"{name}.png", spec)
    print(f"  {name}: {len(data)} rows, {picture.name} of {', '.join(picture.columns)}")
    if name in README_PICTURES:
        target = IMAGES / README_PICTURES[name]
        save_plot(data, target, spec, dpi=60)
        size = target.stat().st_size
        if size > README_IMAGE_LIMIT:
            raise SystemExit(f"{target} is {size} bytes, over the {README_IMAGE_LIMIT} bytes allowed in README")
    if name == "12_responsible_use":
        responsible_use(spec, data)
    return data


def responsible_use(spec: llmsynth.DatasetSpec, data: pd.DataFrame) -> None:
    """Eval reports of the proper table and of a leaky one (reference rows copied), and a summary."""
    reference = pd.read_csv(DATA / "12_people_reference.csv")
    leaky = reference.sample(n=len(data), replace=True, random_state=0).reset_index(drop=True)
    write_table(leaky, PICTURES / "12_leaky.csv")
    reports: dict[str, EvalReport] = {}
    for label, table in (("proper", data), ("leaky", leaky)):
        report = llmsynth.evaluate(table, spec, reference=reference)
        report.write_html(PICTURES / f"12_{label}_report.html")
        report.write_json(PICTURES / f"12_{label}_report.json")
        failed = report.failed_thresholds()
        print(f"  12 {label}: " + ("passes every threshold" if not failed else "FLAGGED: " + "; ".join(failed)))
        reports[label] = report
    figure = summary_figure(reports, spec.thresholds)
    from llmsynth.plots.canvas import save_figure

    save_figure(figure, PICTURES / "12_responsible_use_summary.png")
    save_figure(figure, IMAGES / "guide_responsible_use.png", dpi=75)


def summary_figure(reports: dict[str, EvalReport], thresholds: dict[str, float]) -> Any:
    """Bars of the privacy and bias figures for each table, with the spec's thresholds as lines."""
    from llmsynth.plots.canvas import REAL, SYNTH, new_figure

    keys = ("privacy.exact_copies", "privacy.dcr_ratio", "bias.max_tvd")
    figure = new_figure(9.0, 3.2)
    for index, key in enumerate(keys):
        axes = figure.add_subplot(1, len(keys), index + 1)
        values = [float(r.value(key) or 0.0) for r in reports.values()]
        axes.bar(list(reports), values, color=[SYNTH, REAL][: len(values)])
        if key in thresholds:
            axes.axhline(thresholds[key], color="#333333", linestyle="--", linewidth=1, label="threshold")
            axes.legend(fontsize=7)
        axes.set_title(key, fontsize=9)
    figure.suptitle("responsible use: the leaky table copies reference rows", fontsize=10)
    return figure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-model", action="store_true", help="skip example 7 (it loads the language model)")
    parser.add_argument("--only", nargs="*", default=None, help="example numbers or names to build, e.g. 01 09")
    args = parser.parse_args(argv)
    PICTURES.mkdir(parents=True, exist_ok=True)
    IMAGES.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    print("reference tables")
    build_references()
    print("examples")
    for name in EXAMPLES:
        if args.only and not any(name.startswith(o) for o in args.only):
            continue
        if name == "07_llm_table" and args.no_model:
            print(f"  {name}: skipped (--no-model)")
            continue
        build_example(name)
    print(f"done in {time.perf_counter() - start:.1f} s: pictures in {PICTURES.relative_to(ROOT)}, "
          f"README pictures in {IMAGES.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
