"""Render findings as a rich table, JSON, or a SARIF 2.1.0 log."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from rich.table import Table

from wedsync_db.lints.registry import ERROR, INFO, LEVELS, LINTS, WARN, Finding

# -- rendering ---------------------------------------------------------------------------------------------
_STYLE = {ERROR: "bold red", WARN: "yellow", INFO: "cyan"}


def findings_table(findings: Iterable[Finding]) -> Table:
    """Return a rich table with one row per finding (level, lint, object, detail, remedy)."""
    rows = list(findings)
    table = Table(title=f"Catalog lints: {_summary(rows)}", show_lines=False)
    for column in ("level", "lint", "object", "detail", "remedy"):
        table.add_column(column, overflow="fold")
    for f in rows:
        table.add_row(f"[{_STYLE[f.level]}]{f.level}[/]", f.lint, f.object, f.detail, f.remedy)
    return table


def _summary(findings: list[Finding]) -> str:
    counts = {level: sum(1 for f in findings if f.level == level) for level in LEVELS}
    return ", ".join(f"{counts[level]} {level}" for level in LEVELS)


def findings_json(findings: Iterable[Finding]) -> str:
    """Return the findings as a JSON array of objects (the Finding fields), stable and indented."""
    return json.dumps([asdict(f) for f in findings], indent=2, ensure_ascii=False)


def findings_from_json(text: str) -> list[Finding]:
    """Parse what ``findings_json`` wrote back into findings."""
    return [Finding(**item) for item in json.loads(text)]


_SARIF_LEVEL = {ERROR: "error", WARN: "warning", INFO: "note"}


def findings_sarif(findings: Iterable[Finding]) -> str:
    """Return a SARIF 2.1.0 log: one rule per registered lint, one result per finding (logical locations only)."""
    index = {lint.name: i for i, lint in enumerate(LINTS)}
    rules = [
        {
            "id": lint.name,
            "name": lint.name,
            "shortDescription": {"text": lint.title},
            "fullDescription": {"text": lint.description},
            "defaultConfiguration": {"level": _SARIF_LEVEL[lint.level]},
            "properties": {"category": lint.category, "tags": [lint.category.lower()]},
        }
        for lint in LINTS
    ]
    results = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.lint,
            "level": _SARIF_LEVEL[f.level],
            "message": {"text": f"{f.detail} Remedy: {f.remedy}"},
            "locations": [{"logicalLocations": [{
                "name": f.object.rsplit(".", 1)[-1] if f.kind != "function" else f.object.split(".", 1)[-1],
                "fullyQualifiedName": f.object,
                "kind": "function" if f.kind == "function" else "resource",
            }]}],
            "partialFingerprints": {"wedsyncLintKey/v1": f.key},
            "properties": {"category": f.category, "objectKind": f.kind},
        }
        if f.lint in index:
            result["ruleIndex"] = index[f.lint]
        results.append(result)
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "wedsync-db lint", "rules": rules}}, "results": results}],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)
