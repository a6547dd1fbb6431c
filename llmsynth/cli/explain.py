"""What the faithful decoder did in a run, printed after `generate` (in full with --explain)."""

from __future__ import annotations

from typing import Any

from rich.console import Console


def print_decoding(console: Console, record: dict[str, Any], *, explain: bool) -> None:
    """The decoder's counters after a run; with ``explain``, every calibration and the first rows' probabilities."""
    decoding = record.get("decoding") or {}
    if not record.get("llm_rows") or not decoding:
        return
    console.print(
        f"decoding: {decoding['field_redraws']} number/date redraws (rejection sampling), "
        f"{decoding['approximate_fields']} fields masked after too many redraws, "
        f"{decoding['cut_texts']} texts ended at a word boundary at their limit"
    )
    reports = decoding.get("calibration", [])
    for report in reports if explain else reports[:1]:
        pairs = report["cramers_v"].items()
        dependence = ", ".join(f"{k}: {v['model']:.2f} -> {v['calibrated']:.2f}" for k, v in pairs)
        console.print(f"declared weights for '{report['field']}' (rows {report['rows']}): factors {report['factors']}"
                      + (f"; Cramér's V model -> calibrated: {dependence}" if dependence else ""))
    if explain:
        for item in decoding.get("explain", []):
            for field, probabilities in item["probabilities"].items():
                ranked = sorted(probabilities.items(), key=lambda kv: -kv[1])
                shown = ", ".join(f"{value} {p:.3f}" for value, p in ranked[:8])
                console.print(f"row {item['row']} {field}: {shown}")
