"""The HTML pieces of the eval report: escaping, number formatting, sortable tables, the page frame.

Everything is inline (style, a few lines of script, images as base64), so the file opens offline,
can be mailed or archived, and fits a phone screen. The style is scoped under ``.lsr`` so the same
fragment can sit inside a Jupyter notebook without restyling it.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from typing import Any

CSS = """
.lsr{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#222;line-height:1.4;
max-width:1200px;margin:0 auto;padding:0 .8rem}
.lsr h1{font-size:1.5rem;margin:.8rem 0 .2rem}
.lsr h2{font-size:1.2rem;border-bottom:2px solid #ddd;padding-bottom:.25rem;margin-top:1.8rem}
.lsr h3{font-size:1rem;margin:1rem 0 .3rem} .lsr .col h3{margin:.1rem 0}
.lsr .sub,.lsr .note{color:#666;font-size:.9rem}
.lsr nav{position:sticky;top:0;background:#fff;border-bottom:1px solid #eee;padding:.3rem 0;z-index:2;
overflow-x:auto;white-space:nowrap}
.lsr nav a{margin-right:.8rem;font-size:.85rem;color:#3b6fb6;text-decoration:none}
.lsr .verdict{border-radius:8px;padding:.6rem .9rem;font-weight:600;margin:.6rem 0}
.lsr .verdict.pass{background:#e8f6ea;color:#1e6b2e;border:1px solid #3a9a4a}
.lsr .verdict.fail{background:#fdecea;color:#9b2a1e;border:1px solid #c0392b}
.lsr .verdict.none{background:#f3f3f3;color:#555;border:1px solid #ddd;font-weight:400}
.lsr .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(165px,1fr));gap:.6rem}
.lsr .card{border:1px solid #ddd;border-radius:8px;padding:.5rem .7rem;background:#fafafa}
.lsr .card .v{font-size:1.5rem;font-weight:600} .lsr .card .k{font-size:.8rem;color:#555}
.lsr .card.pass{border-color:#3a9a4a;background:#f0faf1} .lsr .card.fail{border-color:#c0392b;background:#fdf0ee}
.lsr .columns{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,340px),1fr));gap:.8rem}
.lsr .col{border:1px solid #ddd;border-radius:8px;padding:.6rem;min-width:0}
.lsr .col .kind{color:#666;font-size:.8rem}
.lsr .chips{display:flex;flex-wrap:wrap;gap:.3rem;margin:.35rem 0}
.lsr .chip{font-size:.78rem;border-radius:10px;padding:.05rem .5rem;background:#eef2f8;white-space:nowrap}
.lsr .chip.pass{background:#e3f4e6;color:#1e6b2e} .lsr .chip.fail{background:#fbe3df;color:#9b2a1e}
.lsr img{max-width:100%;height:auto;display:block}
.lsr .scroll{overflow-x:auto;max-width:100%}
.lsr table{border-collapse:collapse;margin:.5rem 0;font-size:.85rem}
.lsr td,.lsr th{border:1px solid #ddd;padding:.2rem .5rem;vertical-align:top}
.lsr td{overflow-wrap:anywhere} .lsr td[data-v]{white-space:nowrap}
.lsr th{background:#f3f3f3;text-align:left;cursor:pointer;user-select:none;white-space:nowrap}
.lsr th[aria-sort=ascending]::after{content:" \\25B2";font-size:.7em}
.lsr th[aria-sort=descending]::after{content:" \\25BC";font-size:.7em}
.lsr .ok{color:#2d8a3e;font-weight:600} .lsr .bad{color:#c0392b;font-weight:600}
.lsr code{background:#f3f3f3;padding:0 .2rem;overflow-wrap:anywhere}
@media (max-width:600px){.lsr .cards{grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:.4rem}
.lsr .card{padding:.35rem .5rem} .lsr .card .v{font-size:1.15rem} .lsr .card .k{font-size:.72rem}}
"""

# click a header to sort by that column; numbers (data-v) before text, a second click reverses
SCRIPT = """
(function(){
function val(cell){var v=cell.getAttribute("data-v");
return v!==null?parseFloat(v):cell.textContent.trim().toLowerCase();}
function cmp(x,y){if(typeof x===typeof y){return x<y?-1:x>y?1:0;}return typeof x==="number"?-1:1;}
document.querySelectorAll("table.sortable").forEach(function(table){
table.querySelectorAll("th").forEach(function(th,index){th.addEventListener("click",function(){
var up=th.getAttribute("aria-sort")!=="ascending";
table.querySelectorAll("th").forEach(function(h){h.removeAttribute("aria-sort");});
th.setAttribute("aria-sort",up?"ascending":"descending");
var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
rows.sort(function(a,b){return cmp(val(a.cells[index]),val(b.cells[index]))*(up?1:-1);});
rows.forEach(function(row){body.appendChild(row);});});});});
})();
"""


def esc(value: Any) -> str:
    """Text made safe for HTML."""
    return html.escape(str(value), quote=True)


def fmt(value: Any) -> str:
    """A value as HTML: numbers to 4 significant digits, verdicts coloured, missing as a dash."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return '<span class="ok">pass</span>' if value else '<span class="bad">fail</span>'
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    if isinstance(value, dict):
        return esc(", ".join(f"{k}: {_plain(v)}" for k, v in value.items()))
    if isinstance(value, list | tuple):
        return esc(", ".join(_plain(v) for v in value))
    return esc(value)


def _plain(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _cell(value: Any) -> str:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and math.isfinite(float(value)):
        return f'<td data-v="{float(value)!r}">{fmt(value)}</td>'
    return f"<td>{fmt(value)}</td>"


def table(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    """A sortable table (click a header) that scrolls sideways on a narrow screen instead of the page."""
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in rows)
    table_html = f'<table class="sortable"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    return f'<div class="scroll">{table_html}</div>'


def kv_table(values: Mapping[str, Any], skip: Iterable[str] = ()) -> str:
    """The family's single figures; figures not computed (None) and nested tables are left out."""
    hidden = set(skip)
    rows = [(k, v) for k, v in values.items() if k not in hidden and v is not None and not isinstance(v, dict)]
    return table(["figure", "value"], rows) if rows else ""


def image(data: str, alt: str) -> str:
    """An embedded PNG."""
    return f'<img alt="{esc(alt)}" src="data:image/png;base64,{data}">'


def section(key: str, title: str, body: str) -> str:
    """A titled section of the page, with an anchor for the table of contents."""
    return f'<section id="{esc(key)}"><h2>{esc(title)}</h2>{body}</section>'


def chip(text: str, state: str = "", hint: str = "") -> str:
    """A small labelled badge; ``state`` colours it (ok, warn, bad)."""
    title = f' title="{esc(hint)}"' if hint else ""
    return f'<span class="chip {state}"{title}>{esc(text)}</span>'


def fragment(title: str, subtitle: str, sections: list[tuple[str, str, str]]) -> str:
    """The report body (style, navigation, sections, script) in one scoped ``div``."""
    nav = "".join(f'<a href="#{esc(key)}">{esc(label)}</a>' for key, label, _ in sections)
    body = "".join(content for _, _, content in sections)
    return (
        f'<div class="lsr"><style>{CSS}</style><h1>{esc(title)}</h1><p class="sub">{subtitle}</p>'
        f"<nav>{nav}</nav>{body}<script>{SCRIPT}</script></div>"
    )


def page(title: str, content: str) -> str:
    """A whole HTML document around a fragment: viewport set for phones, nothing loaded from outside."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>body{{margin:0;background:#fff}}</style></head>"
        f"<body>{content}</body></html>"
    )
