"""Write the main job's report: Markdown and HTML for people, JUnit XML and SARIF for machines."""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Case:
    """One checked item of a step (a JUnit test case)."""

    name: str
    passed: bool
    message: str = ""
    seconds: float = 0.0
    skipped: bool = False


@dataclass
class StepResult:
    """The outcome of one step of the main job."""

    name: str
    status: str  # passed, failed, skipped
    summary: str
    seconds: float = 0.0
    details_markdown: str = ""
    details_html: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)
    cases: list[Case] = field(default_factory=list)
    artifacts: dict[str, str] = field(default_factory=dict)


def write_junit(results: list[StepResult], path: Path) -> None:
    """One testsuite per step, one testcase per Case (a step without cases is one case itself)."""
    suites = ET.Element("testsuites", name="wedsync-db")
    for result in results:
        cases = result.cases or [Case(result.name, result.status != "failed", result.summary, result.seconds,
                                      result.status == "skipped")]
        suite = ET.SubElement(
            suites, "testsuite", name=result.name, tests=str(len(cases)),
            failures=str(sum(1 for c in cases if not c.passed and not c.skipped)),
            skipped=str(sum(1 for c in cases if c.skipped)), time=f"{result.seconds:.3f}",
        )
        for case in cases:
            element = ET.SubElement(suite, "testcase", classname=f"wedsync_db.{result.name}", name=case.name,
                                    time=f"{case.seconds:.3f}")
            if case.skipped:
                ET.SubElement(element, "skipped", message=case.message[:500])
            elif not case.passed:
                failure = ET.SubElement(element, "failure",
                                        message=case.message.splitlines()[0][:500] if case.message else "")
                failure.text = case.message
    ET.indent(suites)
    path.write_text(ET.tostring(suites, encoding="unicode", xml_declaration=True))


def _status_badge(status: str) -> str:
    return {"passed": "PASS", "failed": "FAIL", "skipped": "SKIP"}.get(status, status.upper())


def write_markdown(results: list[StepResult], path: Path, *, title: str, context: dict[str, str]) -> None:
    lines = [f"# {title}", ""]
    lines += [f"- **{key}**: {value}" for key, value in context.items()]
    lines += ["", "## Summary", "", "| step | result | what was checked | time |", "| --- | --- | --- | --- |"]
    for result in results:
        lines.append(f"| {result.name} | {_status_badge(result.status)} | {result.summary} | {result.seconds:.1f} s |")
    for result in results:
        if result.details_markdown:
            lines += ["", f"## {result.name}", "", result.details_markdown.rstrip()]
    path.write_text("\n".join(lines) + "\n")


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; max-width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; }
th { background: #f3f3f3; }
.PASS { color: #0a7d28; font-weight: bold; } .FAIL { color: #b00020; font-weight: bold; }
.SKIP { color: #777; font-weight: bold; }
pre { background: #f7f7f7; padding: 0.6rem; overflow-x: auto; }
"""


def markdown_to_html(text: str) -> str:
    """Render the small Markdown subset the steps write (tables, bullets, code fences, paragraphs) as HTML."""
    out: list[str] = []
    table: list[list[str]] = []
    code: list[str] | None = None

    def flush_table() -> None:
        if table:
            head, *rows = table
            out.append("<table><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in head) + "</tr>"
                       + "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
                       + "</table>")
            table.clear()

    for line in text.splitlines():
        if line.startswith("```"):
            if code is None:
                flush_table()
                code = []
            else:
                out.append("<pre>" + html.escape("\n".join(code)) + "</pre>")
                code = None
            continue
        if code is not None:
            code.append(line)
        elif line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(set(c) <= set("-: ") for c in cells):
                table.append(cells)
        else:
            flush_table()
            if line.startswith("- "):
                out.append(f"<li>{html.escape(line[2:])}</li>")
            elif line.strip():
                out.append(f"<p>{html.escape(line)}</p>")
    flush_table()
    if code is not None:
        out.append("<pre>" + html.escape("\n".join(code)) + "</pre>")
    return "\n".join(out)


def write_html(results: list[StepResult], path: Path, *, title: str, context: dict[str, str]) -> None:
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
             f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1><ul>"]
    parts += [f"<li><b>{html.escape(k)}</b>: {html.escape(v)}</li>" for k, v in context.items()]
    parts.append("</ul><h2>Summary</h2><table>"
                 "<tr><th>step</th><th>result</th><th>what was checked</th><th>time</th></tr>")
    for result in results:
        badge = _status_badge(result.status)
        parts.append(f"<tr><td>{html.escape(result.name)}</td><td class='{badge}'>{badge}</td>"
                     f"<td>{html.escape(result.summary)}</td><td>{result.seconds:.1f} s</td></tr>")
    parts.append("</table>")
    for result in results:
        if result.details_html:
            parts.append(f"<h2>{html.escape(result.name)}</h2>{result.details_html}")
        elif result.details_markdown:
            parts.append(f"<h2>{html.escape(result.name)}</h2>{markdown_to_html(result.details_markdown)}")
    parts.append("</body></html>")
    path.write_text("\n".join(parts))


def write_json(results: list[StepResult], path: Path, *, context: dict[str, str]) -> None:
    document = {
        "context": context,
        "steps": [
            {"name": r.name, "status": r.status, "summary": r.summary, "seconds": round(r.seconds, 3),
             "metrics": r.metrics, "artifacts": r.artifacts}
            for r in results
        ],
    }
    path.write_text(json.dumps(document, indent=2, default=str))


def report_directory(root: Path) -> Path:
    """A new directory reports/<UTC timestamp>/ (and reports/latest pointing at it)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    directory = root / stamp
    directory.mkdir(parents=True, exist_ok=True)
    latest = root / "latest"
    if latest.is_symlink() or latest.exists():
        latest.unlink()
    latest.symlink_to(stamp)
    return directory
