"""Write the main job's report: Markdown and HTML for people, JUnit XML and SARIF for machines."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wedsync_db.page import markdown_html, markdown_inline, render


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
    # Figures the details reference by file name (``![caption](perf/latency.svg)``): name -> inline HTML for
    # report.html; report.md keeps the reference to the file, which the step wrote into the report folder.
    figures: dict[str, str] = field(default_factory=dict)
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


def write_html(results: list[StepResult], path: Path, *, title: str, context: dict[str, str]) -> None:
    """The report as a page: what report.md says, its Markdown rendered, its figures drawn inline."""
    steps = [
        {"name": r.name, "status": r.status, "badge": _status_badge(r.status), "summary": markdown_inline(r.summary),
         "seconds": f"{r.seconds:.1f} s", "details": markdown_html(r.details_markdown, r.figures)}
        for r in results
    ]
    path.write_text(render("report.html.j2", title=title, context=context, steps=steps))


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
