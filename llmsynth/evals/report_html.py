"""Render an EvalReport as one self-contained HTML page that leads with the verdict and pictures:
headline verdicts with their thresholds, then one card per column (its picture next to its scores),
the correlation-difference heatmap, and the detail tables of each metric family (all sortable).

Families that could not run are named once under the verdict, not given empty sections.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from llmsynth.evals.report_columns import column_cards, correlation_section, reason_picture
from llmsynth.evals.report_page import esc, fmt, fragment, kv_table, page, section, table
from llmsynth.evals.thresholds import HEADLINE, resolve, split_key

if TYPE_CHECKING:
    from llmsynth.evals.report import EvalReport

FAMILY_TITLES = {
    "validity": "Validity",
    "spec": "Fidelity to the spec",
    "reference": "Fidelity to the reference",
    "diversity": "Diversity",
    "privacy": "Privacy",
    "usefulness": "Usefulness (TSTR vs TRTR)",
    "bias": "Bias",
}


def threshold_rows(report: EvalReport) -> list[tuple[str, Any, str, float, bool | None]]:
    """(key, value, bound, limit, met) per threshold; ``met`` is None when the figure was not computed."""
    rows: list[tuple[str, Any, str, float, bool | None]] = []
    for raw, limit in report.thresholds.items():
        key, bound = split_key(raw)
        found, value = resolve(report.scores, key)
        number = found and isinstance(value, int | float) and not isinstance(value, bool)
        met = None if not number else (value >= limit if bound == "min" else value <= limit)
        rows.append((key, value if number else None, bound, float(limit), met))
    return rows


def _verdict(report: EvalReport) -> str:
    rows = threshold_rows(report)
    failed = report.failed_thresholds()
    if not rows:
        return ('<div class="verdict none">No thresholds set: add <code>thresholds:</code> to the spec '
                "(e.g. <code>validity.score: 1.0</code>) to get a pass/fail verdict.</div>")
    checked = [r for r in rows if r[4] is not None]
    if failed:
        head = f'<div class="verdict fail">FAIL: {len(failed)} of {len(rows)} thresholds not met</div>'
        head += "<ul>" + "".join(f"<li>{esc(f)}</li>" for f in failed) + "</ul>"
    else:
        head = f'<div class="verdict pass">PASS: all {len(checked)} checked thresholds met</div>'
    return head


def _headline(report: EvalReport) -> str:
    limits = {split_key(k)[0]: (split_key(k)[1], v) for k, v in report.thresholds.items()}
    values = report.headline
    cards = []
    for key, _, label in HEADLINE:
        if key not in values:
            continue
        state, note = "", ""
        if key in limits:
            bound, limit = limits[key]
            ok = values[key] >= limit if bound == "min" else values[key] <= limit
            state, note = ("pass" if ok else "fail"), f"<br>{bound} {limit:g}: {'pass' if ok else 'fail'}"
        cards.append(
            f'<div class="card {state}"><div class="v">{values[key]:.3f}</div>'
            f'<div class="k">{esc(label)}<br><code>{esc(key)}</code>{note}</div></div>'
        )
    parts = [_verdict(report), f'<div class="cards">{"".join(cards)}</div>']
    rows = threshold_rows(report)
    if rows:
        shown = [(k, v, b, lim, "not computed" if met is None else met) for k, v, b, lim, met in rows]
        parts.append("<h3>Thresholds</h3>" + table(["score", "value", "bound", "limit", "verdict"], shown))
    skipped = {f: v["skipped"] for f, v in report.scores.items() if isinstance(v, dict) and "skipped" in v}
    if not _diversity_applies(report.scores.get("diversity", {})):
        skipped["diversity"] = "no text or choice columns to score"
    if skipped:
        items = "".join(f"<li><b>{esc(FAMILY_TITLES.get(f, f))}</b>: {esc(why)}</li>" for f, why in skipped.items())
        parts.append(f'<p class="note">Not computed:</p><ul class="note">{items}</ul>')
    return "".join(parts)


def _diversity_applies(scores: Mapping[str, Any]) -> bool:
    return bool(scores.get("fields")) and any((c or {}).get("n") for c in (scores.get("columns") or {}).values())


def _validity(scores: Mapping[str, Any]) -> str:
    parts = [kv_table(scores, skip=("reasons", "columns", "run"))]
    if scores.get("reasons"):
        parts.append("<h3>Why rows are invalid</h3>" + table(["reason", "rows"], scores["reasons"].items()))
    run = scores.get("run")
    if run:
        parts.append("<h3>Run record</h3>" + kv_table(run, skip=("rejects_by_reason",)))
        if run.get("rejects_by_reason"):
            parts.append(reason_picture(run["rejects_by_reason"]))
            parts.append(table(["reject reason", "rows"], run["rejects_by_reason"].items()))
    return "".join(parts)


def _spec(scores: Mapping[str, Any]) -> str:
    rows = []
    for key, check in scores.get("checks", {}).items():
        shown = {k: v for k, v in check.items()
                 if k not in ("kind", "columns", "passed", "observed") and not isinstance(v, dict | list)}
        rows.append((key, check.get("passed"), ", ".join(f"{k}={fmt(v)}" for k, v in shown.items())))
    body = kv_table(scores, skip=("checks", "problems")) + table(["promise", "verdict", "figures"], rows)
    if scores.get("problems"):
        body += table(["entry", "no promises because"], scores["problems"].items())
    return body


def _reference(scores: Mapping[str, Any]) -> str:
    columns = [(n, c["metric"], c["score"]) for n, c in scores["columns"].items()]
    body = kv_table(scores) + "<h3>Column shapes</h3>" + table(["column", "metric", "score"], columns)
    pairs = [(k.replace("|", " | "), p["metric"], p["score"], p.get("contributes"), p.get("real"),
              p.get("synthetic"), p.get("real_association")) for k, p in scores["pairs"].items()]
    body += "<h3>Column pair trends</h3>" + table(
        ["pair", "metric", "score", "counts", "real r", "synthetic r", "real V"], pairs
    )
    if scores.get("excluded"):
        body += table(["column", "left out"], scores["excluded"].items())
    return body


def _nested(scores: Mapping[str, Any], key: str, header: list[str], fields: list[str]) -> str:
    rows = [(name, *(entry.get(f) for f in fields)) for name, entry in (scores.get(key) or {}).items()]
    return table(header, rows) if rows else ""


def _diversity(scores: Mapping[str, Any]) -> str:
    header = ["field", "distinct ratio", "entropy", "top share", "top value", "near duplicates"]
    fields = ["distinct_ratio", "entropy", "top_share", "top_value", "near_duplicates"]
    return kv_table(scores, skip=("fields",)) + _nested(scores, "columns", header, fields)


def _usefulness(scores: Mapping[str, Any]) -> str:
    rows = [("synthetic (TSTR)", *scores["tstr"].values()), ("real (TRTR)", *scores["trtr"].values())]
    return kv_table(scores) + table(["trained on", *scores["tstr"]], rows)


def _bias(scores: Mapping[str, Any]) -> str:
    return (
        kv_table(scores, skip=("sensitive",))
        + _nested(scores, "columns", ["column", "expected from", "synthetic", "expected", "TVD"],
                  ["source", "synthetic", "expected", "tvd"])
        + _nested(scores, "target_relation", ["column", "target", "positive", "synthetic", "reference", "gap error"],
                  ["target", "positive", "synthetic_rates", "reference_rates", "gap_error"])
    )


RENDER = {
    "validity": _validity,
    "spec": _spec,
    "reference": _reference,
    "diversity": _diversity,
    "privacy": lambda v: kv_table(v),
    "usefulness": _usefulness,
    "bias": _bias,
}


def render_fragment(report: EvalReport) -> str:
    """The report as one scoped ``div`` (what a notebook shows; ``render_html`` wraps it in a page)."""
    sections = [("headline", "Verdict", section("headline", "Verdict and headline scores", _headline(report)))]
    if report.data is not None and len(report.data.columns):
        sections.append(("columns", "Columns", section("columns", "Columns: synthetic vs reference or declared",
                                                       column_cards(report))))
        correlations = correlation_section(report)
        if correlations is not None:
            sections.append(("correlations", "Correlations", section("correlations", "Correlations", correlations)))
    # families registered by plugins (llmsynth.evals entry points) get their single figures as a table
    titles = {**FAMILY_TITLES, **{k: k for k in report.scores if k not in FAMILY_TITLES}}
    for key, title in titles.items():
        value = report.scores.get(key, {})
        if "skipped" in value or (key == "diversity" and not _diversity_applies(value)):
            continue
        sections.append((key, title.split(" (")[0], section(key, title, RENDER.get(key, kv_table)(value))))
    subtitle = f"{report.rows} rows · score keys documented in docs/evals.md"
    return fragment(f"llmsynth evaluation: {report.dataset}", subtitle, sections)


def render_html(report: EvalReport) -> str:
    """The whole HTML page of a report."""
    return page(f"llmsynth evaluation: {report.dataset}", render_fragment(report))
