"""Write the proof's report: the access matrix as a Markdown table and an HTML heatmap of every cell."""

from __future__ import annotations

import html
from pathlib import Path

from wedsync_db.rls.coverage import Coverage
from wedsync_db.rls.matrix import COMMANDS


def _state(cov: Coverage, cell: tuple[str, str, str]) -> tuple[str, str]:
    n = cov.attempts[cell]
    if n == 0 and cov.is_unreachable(cell):
        return "unreachable in this world", "#e6d7a3"
    if n == 0:
        return "untried", "#bbbbbb"
    if cov.failures[cell]:
        return "FAILED", "#d73027"
    if cov.allowed[cell] and cov.refused[cell]:
        return "proven: partly allowed", "#91cf60"
    if cov.allowed[cell]:
        return "proven: allowed", "#1a9850"
    return "proven: denied", "#4575b4"


def markdown(cov: Coverage) -> str:
    """The matrix: one line per table and relation, one column per command (allowed/denied, attempts)."""
    lines = ["| table | actor relation | " + " | ".join(COMMANDS) + " |", "|---|---|" + "---|" * len(COMMANDS)]
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for table, command, rel in cov.matrix.cells():
        state, _ = _state(cov, (table, command, rel))
        rows.setdefault((table, rel), {})[command] = f"{state} ({cov.attempts[(table, command, rel)]})"
    for (table, rel), by in rows.items():
        lines.append(f"| {table} | {rel} | " + " | ".join(by.get(c, "n/a") for c in COMMANDS) + " |")
    gaps = [c for c in cov.matrix.cells() if cov.is_unreachable(c)]
    if gaps:
        lines += ["", f"Unreachable in this world ({len(gaps)}): no actor stands in the relation to any row of the"
                  " table (a gap in the data, not in the proof): " + ", ".join(f"`{':'.join(c)}`" for c in gaps)]
    return "\n".join(lines)


def heatmap_fragment(cov: Coverage, title: str = "wedsync-db tenant isolation proof") -> str:
    """The heatmap as an HTML fragment (no <html>/<body>; CSS scoped to ``.rls-heatmap``), for larger pages."""
    relations: list[str] = []
    for _, _, rel in cov.matrix.cells():
        if rel not in relations:
            relations.append(rel)
    head = "".join(f"<th class=rot><div>{html.escape(c)}<br>{html.escape(r)}</div></th>"
                   for c in COMMANDS for r in relations)
    body = []
    cells = set(cov.matrix.cells())
    for table in sorted(cov.matrix.tables):
        tds = []
        for c in COMMANDS:
            for r in relations:
                cell = (table, c, r)
                if cell not in cells:
                    tds.append("<td></td>")
                    continue
                state, colour = _state(cov, cell)
                tip = html.escape(f"{table} {c} {r}: {state}, {cov.attempts[cell]} attempts")
                tds.append(f"<td title='{tip}' style='background:{colour}'>{cov.attempts[cell]}</td>")
        body.append(f"<tr><th>{html.escape(table)}</th>{''.join(tds)}</tr>")
    legend = " ".join(f"<span style='background:{c};padding:2px 6px'>{s}</span>" for s, c in [
        ("allowed", "#1a9850"), ("partly allowed", "#91cf60"), ("denied", "#4575b4"), ("FAILED", "#d73027"),
        ("untried", "#bbbbbb"), ("unreachable in this world (no such actor-row pair in the data)", "#e6d7a3")])
    return f"""<div class=rls-heatmap><style>
.rls-heatmap table{{border-collapse:collapse;font:12px sans-serif}}
.rls-heatmap td{{text-align:center;min-width:18px;color:#fff;font-size:9px;padding:1px;border:1px solid #eee}}
.rls-heatmap th.rot{{height:140px;white-space:nowrap;vertical-align:bottom;background:none;border:none}}
.rls-heatmap th.rot div{{transform:rotate(-60deg);width:18px}}
</style><p><b>{html.escape(title)}</b>: {html.escape(cov.summary())}</p><p>{legend}</p>
<div style='overflow-x:auto'><table><tr><th></th>{head}</tr>{''.join(body)}</table></div></div>"""


def heatmap(cov: Coverage, title: str = "wedsync-db tenant isolation proof") -> str:
    """A self-contained HTML page: table x (command, actor relation), colour = allowed/denied/failed/untried."""
    return (f"<!doctype html><html><head><meta charset=utf-8><title>{html.escape(title)}</title></head>"
            f"<body><h1>{html.escape(title)}</h1>{heatmap_fragment(cov, title)}</body></html>")


def write_report(cov: Coverage, out: Path, extra: str = "") -> list[Path]:
    """Write matrix.md and heatmap.html into ``out``; return the paths."""
    out.mkdir(parents=True, exist_ok=True)
    md, page = out / "matrix.md", out / "heatmap.html"
    md.write_text(f"# Access matrix, as proven\n\n{cov.summary()}\n\n{extra}\n\n{markdown(cov)}\n")
    page.write_text(heatmap(cov))
    return [md, page]
