"""Render an EvalReport as one self-contained HTML page: headline scores first, then one section
per metric family with its tables and plots (base64 PNG, so the file can be mailed or archived)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from llmsynth.evals import plots
from llmsynth.evals.thresholds import HEADLINE, split_key

if TYPE_CHECKING:
    from llmsynth.evals.report import EvalReport

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1150px;
color:#222}
h1{margin-bottom:.2rem} h2{border-bottom:2px solid #ddd;padding-bottom:.3rem;margin-top:2.2rem}
.sub{color:#666} .cards{display:flex;flex-wrap:wrap;gap:.8rem}
.card{border:1px solid #ddd;border-radius:8px;padding:.7rem 1rem;min-width:170px;background:#fafafa}
.card .v{font-size:1.6rem;font-weight:600} .card .k{font-size:.8rem;color:#555}
.card.pass{border-color:#3a9a4a;background:#f0faf1} .card.fail{border-color:#c0392b;background:#fdf0ee}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}
td,th{border:1px solid #ddd;padding:.25rem .6rem}
th{background:#f3f3f3;text-align:left} .ok{color:#2d8a3e;font-weight:600} .bad{color:#c0392b;font-weight:600}
.plots{display:flex;flex-wrap:wrap;gap:1rem} .plots figure{margin:0} figcaption{font-size:.8rem;color:#555}
.skip{color:#888;font-style:italic} code{background:#f3f3f3;padding:0 .2rem}
"""


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return '<span class="ok">pass</span>' if value else '<span class="bad">fail</span>'
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    if isinstance(value, list | dict):
        return esc(
            ", ".join(f"{k}: {fmt(v)}" for k, v in value.items())
            if isinstance(value, dict)
            else ", ".join(fmt(v) for v in value)
        )
    return esc(value)


def table(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{fmt(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def kv_table(values: Mapping[str, Any], skip: Iterable[str] = ()) -> str:
    hidden = set(skip)
    return table(
        ["figure", "value"],
        [(k, v) for k, v in values.items() if k not in hidden and not isinstance(v, dict)],
    )


def images(items: list[plots.Plot]) -> str:
    figures = "".join(
        f'<figure><img alt="{esc(title)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{esc(title)}</figcaption>"
        "</figure>"
        for title, data in items
    )
    return f'<div class="plots">{figures}</div>' if figures else '<p class="skip">nothing to plot</p>'


def section(key: str, title: str, body: str) -> str:
    return f'<section id="{key}"><h2>{esc(title)}</h2>{body}</section>'


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
            state, note = ("pass" if ok else "fail"), f" · {bound} {limit:g}"
        cards.append(
            f'<div class="card {state}"><div class="v">{values[key]:.3f}</div>'
            f'<div class="k">{esc(label)}<br><code>{esc(key)}</code>{esc(note)}</div></div>'
        )
    failed, unchecked = report.failed_thresholds(), report.unchecked_thresholds()
    verdict = ""
    if report.thresholds:
        verdict = (
            '<p class="ok">All thresholds met.</p>'
            if not failed
            else "<p class='bad'>Thresholds not met:</p><ul>" + "".join(f"<li>{esc(f)}</li>" for f in failed) + "</ul>"
        )
    if unchecked:
        verdict += "<p class='skip'>Not checked:</p><ul>" + "".join(f"<li>{esc(u)}</li>" for u in unchecked) + "</ul>"
    return f'<div class="cards">{"".join(cards)}</div>{verdict}'


def _validity(scores: Mapping[str, Any]) -> str:
    parts = [kv_table(scores, skip=("reasons", "columns", "run"))]
    if scores.get("reasons"):
        parts.append("<h3>Why rows are invalid</h3>" + table(["reason", "rows"], scores["reasons"].items()))
    run = scores.get("run")
    if run:
        parts.append("<h3>Run record</h3>" + kv_table(run, skip=("rejects_by_reason",)))
        if run.get("rejects_by_reason"):
            parts.append(table(["reject reason", "rows"], run["rejects_by_reason"].items()))
        parts.append(images(plots.reason_bars(run.get("rejects_by_reason") or {}, "rejects by reason")))
    return "".join(parts)


def _spec(scores: Mapping[str, Any]) -> str:
    rows = []
    for key, check in scores.get("checks", {}).items():
        shown = {
            k: v
            for k, v in check.items()
            if k not in ("kind", "columns", "passed", "observed") and not isinstance(v, dict | list)
        }
        rows.append((key, check.get("passed"), ", ".join(f"{k}={fmt(v)}" for k, v in shown.items())))
    body = kv_table(scores, skip=("checks", "problems")) + table(["promise", "verdict", "figures"], rows)
    if scores.get("problems"):
        body += table(["entry", "no promises because"], scores["problems"].items())
    return body


def _reference(scores: Mapping[str, Any]) -> str:
    columns = [(n, c["metric"], c["score"]) for n, c in scores["columns"].items()]
    pairs = sorted(scores["pairs"].items(), key=lambda kv: kv[1]["score"] if kv[1]["score"] is not None else -1)
    body = kv_table(scores) + "<h3>Column shapes</h3>" + table(["column", "metric", "score"], columns)
    body += "<h3>Column pair trends (worst 15)</h3>" + table(
        ["pair", "metric", "score", "counts", "real r", "synthetic r", "real V"],
        [
            (k, p["metric"], p["score"], p.get("contributes"), p.get("real"), p.get("synthetic"),
             p.get("real_association"))
            for k, p in pairs[:15]
        ],
    )
    if scores.get("excluded"):
        body += table(["column", "left out"], scores["excluded"].items())
    return body


def _nested(scores: Mapping[str, Any], key: str, header: list[str], fields: list[str]) -> str:
    rows = [(name, *(entry.get(f) for f in fields)) for name, entry in (scores.get(key) or {}).items()]
    return table(header, rows) if rows else ""


def render_html(report: EvalReport) -> str:
    s = report.scores
    data, reference, promises = report.data, report.reference, report.promises
    families = {
        "validity": ("Validity", _validity),
        "spec": ("Fidelity to the spec", _spec),
        "reference": ("Fidelity to the reference", _reference),
        "diversity": (
            "Diversity",
            lambda v: (
                kv_table(v, skip=("fields",))
                + _nested(
                    v,
                    "columns",
                    ["field", "distinct ratio", "entropy", "top share", "top value", "near duplicates"],
                    ["distinct_ratio", "entropy", "top_share", "top_value", "near_duplicates"],
                )
            ),
        ),
        "privacy": ("Privacy", lambda v: kv_table(v)),
        "usefulness": (
            "Usefulness (TSTR vs TRTR)",
            lambda v: (
                kv_table(v)
                + table(
                    ["trained on", *v["tstr"]],
                    [("synthetic (TSTR)", *v["tstr"].values()), ("real (TRTR)", *v["trtr"].values())],
                )
            ),
        ),
        "bias": (
            "Bias",
            lambda v: (
                kv_table(v, skip=("sensitive",))
                + _nested(
                    v,
                    "columns",
                    ["column", "expected from", "synthetic", "expected", "TVD"],
                    ["source", "synthetic", "expected", "tvd"],
                )
                + _nested(
                    v,
                    "target_relation",
                    ["column", "target", "positive", "synthetic", "reference", "gap error"],
                    ["target", "positive", "synthetic_rates", "reference_rates", "gap_error"],
                )
            ),
        ),
    }
    body = [section("headline", "Headline scores", _headline(report))]
    for key, (title, render) in families.items():
        value = s.get(key, {})
        content = f'<p class="skip">skipped: {esc(value["skipped"])}</p>' if "skipped" in value else render(value)
        body.append(section(key, title, content))
    if data is not None:
        body.append(section("distributions", "Distributions", images(plots.histograms(data, reference, promises))))
        body.append(section("categories", "Categories", images(plots.category_bars(data, reference, promises))))
        body.append(section("correlations", "Correlations", images(plots.correlation_heatmaps(data, reference))))
    title = f"llmsynth evaluation: {report.dataset}"
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>'
        f"<style>{CSS}</style></head><body><h1>{esc(title)}</h1>"
        f'<p class="sub">{report.rows} rows · JSON keys documented in docs/evals.md</p>'
        + "".join(body)
        + "</body></html>"
    )
