"""Write the proof's report: the access matrix as a Markdown table and an HTML heatmap of every cell."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from markupsafe import Markup

from wedsync_db.page import render
from wedsync_db.rls.coverage import Coverage
from wedsync_db.rls.matrix import COMMANDS

# Each state's CSS class on the heatmap (colours in wedsync_db/templates/report.css) and its legend text.
STATES = {
    "proven: allowed": ("allowed", "allowed: every attempt was let in, as the matrix says"),
    "proven: partly allowed": ("partly", "partly allowed: some attempts let in, others refused, as the matrix says"),
    "proven: denied": ("denied", "denied: every attempt was refused, as the matrix says"),
    "FAILED": ("failed", "FAILED: the database and the matrix disagree on at least one attempt"),
    "untried": ("untried", "untried: no attempt reached this cell"),
    "unreachable in this world": (
        "unreachable",
        "unreachable in this world: no actor stands in this relation to any row of the table (a gap in the data, "
        "not in the proof)",
    ),
}


def _state(cov: Coverage, cell: tuple[str, str, str]) -> str:
    n = cov.attempts[cell]
    if n == 0 and cov.is_unreachable(cell):
        return "unreachable in this world"
    if n == 0:
        return "untried"
    if cov.failures[cell]:
        return "FAILED"
    if cov.allowed[cell] and cov.refused[cell]:
        return "proven: partly allowed"
    if cov.allowed[cell]:
        return "proven: allowed"
    return "proven: denied"


def markdown(cov: Coverage) -> str:
    """The matrix: one line per table and relation, one column per command (allowed/denied, attempts)."""
    lines = ["| table | actor relation | " + " | ".join(COMMANDS) + " |", "|---|---|" + "---|" * len(COMMANDS)]
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for table, command, rel in cov.matrix.cells():
        state = _state(cov, (table, command, rel))
        rows.setdefault((table, rel), {})[command] = f"{state} ({cov.attempts[(table, command, rel)]})"
    for (table, rel), by in rows.items():
        lines.append(f"| {table} | {rel} | " + " | ".join(by.get(c, "n/a") for c in COMMANDS) + " |")
    gaps = gaps_markdown(cov)
    return "\n".join(lines + (["", gaps] if gaps else []))


def gaps_markdown(cov: Coverage) -> str:
    """The cells no actor of this world can reach, as one Markdown paragraph (empty when there are none)."""
    gaps = [c for c in cov.matrix.cells() if cov.is_unreachable(c)]
    if not gaps:
        return ""
    return (f"Unreachable in this world ({len(gaps)}): no actor stands in the relation to any row of the"
            " table (a gap in the data, not in the proof): " + ", ".join(f"`{':'.join(c)}`" for c in gaps))


def heatmap_fragment(cov: Coverage, title: str = "wedsync-db tenant isolation proof") -> str:
    """The heatmap as an HTML fragment for a page built on ``base.html.j2`` (its CSS): one table per command.

    Rows are tables (names on one line), columns the actor relations that command has cells for, team relations
    grouped under their family with one column per role; a cell's colour is its state, its number the attempts.
    """
    cells = set(cov.matrix.cells())
    commands = []
    for command in COMMANDS:
        relations = _relations(cell for cell in cov.matrix.cells() if cell[1] == command)
        rows = []
        for table in sorted(cov.matrix.tables):
            row: list[dict[str, Any] | None] = []
            for relation in relations:
                cell = (table, command, relation)
                if cell not in cells:
                    row.append(None)
                    continue
                state = _state(cov, cell)
                row.append({"class": STATES[state][0], "attempts": cov.attempts[cell],
                            "tip": f"{table}, {command}, {relation}: {state}, {cov.attempts[cell]} attempts"})
            rows.append({"table": table, "cells": row})
        commands.append({"name": command, "header": _header(relations), "rows": rows,
                         "relations": len(relations)})
    return render("heatmap.html.j2", title=title, summary=cov.summary(), commands=commands,
                  legend=[(css, text) for css, text in STATES.values()])


def _relations(cells: Iterable[tuple[str, str, str]]) -> list[str]:
    """The actor relations of ``cells`` in matrix order, each team family's roles kept together."""
    seen: list[str] = []
    for _, _, relation in cells:
        if relation not in seen:
            seen.append(relation)
    families = [r.split(":")[0] for r in seen]
    return sorted(seen, key=lambda r: families.index(r.split(":")[0]))


def _header(relations: list[str]) -> dict[str, list[Any]]:
    """Two header rows: a relation alone spans both; a team family spans its roles, which sit below it."""
    top: list[dict[str, Any]] = []
    roles: list[str] = []
    for relation in relations:
        family, _, role = relation.partition(":")
        if not role:
            top.append({"label": relation, "span": 1, "family": False})
            continue
        roles.append(role)
        if top and top[-1]["family"] and top[-1]["label"] == family:
            top[-1]["span"] += 1
        else:
            top.append({"label": family, "span": 1, "family": True, "parts": family.split("_")})
    return {"top": top, "roles": roles}


# report.md links the heatmap (heatmap.html, beside it) and the matrix as a table; report.html draws the heatmap here.
HEATMAP_REFERENCE = ("[The access matrix as proven: each command's tables against its actor relations](heatmap.html)"
                     "\n\nThe same cells as one table: [matrix.md](matrix.md).")


def report_details(cov: Coverage, *paragraphs: str) -> tuple[str, dict[str, str]]:
    """The main job's rls details: ``paragraphs``, the heatmap's reference and the gaps; and the heatmap figure."""
    text = "\n\n".join(p for p in [*paragraphs, HEATMAP_REFERENCE, gaps_markdown(cov)] if p)
    return text, {"heatmap.html": heatmap_fragment(cov)}


def heatmap(cov: Coverage, title: str = "wedsync-db tenant isolation proof") -> str:
    """A self-contained HTML page: for each command, table x actor relation, colour = the cell's state."""
    return render("document.html.j2", title=title, body=Markup(heatmap_fragment(cov, title)))


def write_report(cov: Coverage, out: Path, extra: str = "") -> list[Path]:
    """Write matrix.md and heatmap.html into ``out``; return the paths."""
    out.mkdir(parents=True, exist_ok=True)
    md, page = out / "matrix.md", out / "heatmap.html"
    md.write_text(f"# Access matrix, as proven\n\n{cov.summary()}\n\n{extra}\n\n{markdown(cov)}\n")
    page.write_text(heatmap(cov))
    return [md, page]
