"""The main job's report.html reads well at a laptop's width: laid out by headless Chromium, measured from its DOM.

The report is built by the main job's own writers (wedsync_db.report, the rls step's heatmap and the perf step's
sections and plots) from a step list shaped like a real run's: long lint identifiers, an escalation replay script,
the whole access matrix with every state, and the bench report of every catalog query with its plots. Chromium
(Debian's package, installed by bin/bootstrap) lays it out at 1,400 x 900 CSS pixels; a script added to a copy of
the page measures it and leaves its findings in the DOM that ``--dump-dom`` prints.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from wedsync_db.page import markdown_html
from wedsync_db.perf.catalog import QUERIES
from wedsync_db.perf.report import plots
from wedsync_db.perf.step import report_details as perf_details
from wedsync_db.report import Case, StepResult, write_html, write_markdown
from wedsync_db.rls.coverage import Coverage
from wedsync_db.rls.matrix import load_matrix
from wedsync_db.rls.report import report_details as rls_details

WIDTH, HEIGHT = 1400, 900
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# Runs inside the page once it is laid out; writes what it found as JSON into <script id="layout">.
MEASURE = r"""
<script>
(() => {
  const page = document.documentElement.clientWidth;
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  const scrollBox = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const overflow = getComputedStyle(p).overflowX;
      if (overflow === 'auto' || overflow === 'scroll') return p;
    }
    return null;
  };
  // Lines of text in an element: its text's boxes, a new line where a box starts below the last line's bottom.
  const lines = el => {
    const boxes = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const rect of range.getClientRects()) if (rect.width > 0) boxes.push(rect);
    }
    boxes.sort((a, b) => a.top - b.top);
    let count = 0, bottom = -Infinity;
    for (const box of boxes) {
      if (box.top >= bottom - 2) { count += 1; bottom = box.bottom; } else bottom = Math.max(bottom, box.bottom);
    }
    return count;
  };
  const found = {page, scrollWidth: document.documentElement.scrollWidth, wide: [], scrolling: [], narrow: [],
                 tableNames: [], tableNameLines: [], raw: [], counts: {}};
  for (const el of document.body.querySelectorAll('*')) {
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 && rect.height === 0) continue;
    if (!scrollBox(el) && (rect.right > page + 0.5 || rect.left < -0.5))
      found.wide.push(`${name(el)}: ${Math.round(rect.left)}..${Math.round(rect.right)} px`);
    const overflow = getComputedStyle(el).overflowX;
    if ((overflow === 'auto' || overflow === 'scroll') && el.scrollWidth > el.clientWidth + 1)
      found.scrolling.push(`${name(el)}: ${el.scrollWidth} px of content in ${el.clientWidth} px`);
  }
  // A cell of several words or one long name broken into lines of a letter or two.
  for (const cell of document.querySelectorAll('td, th')) {
    if (cell.closest('.heatmap thead')) continue;
    const text = cell.innerText.replace(/\s+/g, '');
    const n = lines(cell);
    if (text.length >= 4 && n > 1 && text.length / n < 4) found.narrow.push(`${text} (${n} lines)`);
  }
  for (const th of document.querySelectorAll('.heatmap tbody th')) {
    found.tableNames.push(th.innerText.trim());
    if (lines(th) !== 1) found.tableNameLines.push(`${th.innerText.trim()} (${lines(th)} lines)`);
  }
  // Markdown left raw: back-quotes, *emphasis*, [links](...) or table rules in the text a reader sees.
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('pre, code, script, style, svg').forEach(el => el.remove());
  for (const line of copy.textContent.split('\n')) {
    if (/`|\*\*?\w|\w\*|\]\(|^\s*\|?\s*-{3,}\s*\|/.test(line)) found.raw.push(line.trim().slice(0, 160));
  }
  const count = selector => document.querySelectorAll(selector).length;
  found.counts = {
    em: count('main em'), strong: count('main strong'), code: count('main p code, main td code'),
    plots: count('figure.plot > svg'), svgImages: count('img[src$=".svg"]'), heatmaps: count('figure .heatmap'),
    commands: count('.heatmap section.command'), stickyHeads: [...document.querySelectorAll('.heatmap thead')]
      .filter(head => getComputedStyle(head).position === 'sticky').length,
  };
  const out = document.createElement('script');
  out.type = 'application/json';
  out.id = 'layout';
  out.textContent = JSON.stringify(found);
  document.body.appendChild(out);
})();
</script>
"""


def _coverage() -> Coverage:
    """The whole access matrix, every state present: allowed, partly, denied, failed, untried, unreachable."""
    cov = Coverage(load_matrix())
    for i, cell in enumerate(cov.matrix.cells()):
        if i % 41 == 0:
            cov.unreachable.append(cell)
            continue
        if i % 67 == 0:
            continue  # untried
        cov.attempts[cell] = 3 + (i * 37) % 140 + (1000 if i % 97 == 0 else 0)
        cov.allowed[cell] = cov.attempts[cell] if i % 3 == 0 else (1 if i % 3 == 1 else 0)
        cov.refused[cell] = cov.attempts[cell] - cov.allowed[cell]
        cov.failures[cell] = 1 if i == 5 else 0
        cov.total += cov.attempts[cell]
    return cov


def _bench_doc() -> dict[str, Any]:
    """A bench document for every catalog query and both tenants, with failures, advice and a load run."""
    pairs = [(q.name, tenant, q.actor) for q in QUERIES for tenant in ("whale", "small")]
    gates = [{"query": q, "tenant": t, "actor": a, "passed": i % 9 != 4, "execution_ms": 0.2 + i * 0.05,
              "rows_returned": i, "rows_removed": 0, "partitions_read": None, "init_plans": 1,
              "failures": [] if i % 9 != 4 else [{"gate": "seq_scan", "message": f"Seq Scan on public.{q}_history"}]}
             for i, (q, t, a) in enumerate(pairs)]
    timings = [{"query": q, "tenant": t, "as_actor": {"median_ms": 0.3 + i * 0.11, "p99_ms": 0.9 + i * 0.2},
                "as_service": {"median_ms": 0.25 + i * 0.08}, "rls_baseline": i % 5 != 0,
                "rls_overhead": 1.0 + (i % 7) * 0.2, "rls_added_ms": 0.05 * (i % 7)}
               for i, (q, t, _) in enumerate(pairs)]
    over_time = [{"t": s, "median_ms": 6 + s % 3, "p95_ms": 15 + s % 5, "p99_ms": 25 + s % 7} for s in range(1, 11)]
    return {
        "profile": "ci", "compare": None, "server_version": 150018,
        "started_at": "2025-06-14T10:00:00+00:00", "seconds": 21.0, "rows": {"ci": 202_114},
        "gates": {"ci": gates}, "timings": {"ci": timings}, "growth": None, "curve": None,
        "advice": {f"{gates[4]['query']}/{gates[4]['tenant']}": ["create index on public.x (supplier_id)"]},
        "load": {"clients": 4, "seconds": 10.0, "requests": 3968, "throughput_per_s": 396.8, "errors": 0,
                 "overall": {"median_ms": 8.8, "p95_ms": 21.5, "p99_ms": 31.1}, "isolation_violations": 0,
                 "writes_checked": 447, "error_examples": [], "over_time": over_time,
                 "by_query": {q.name: {"runs": 100, "median_ms": 7.4, "p95_ms": 15.7, "p99_ms": 18.2}
                              for q in QUERIES}},
    }


LINT_ROWS = [
    ("ERROR", "tenant_reference_crosses_tenants", "public.journey_instances.fk_journey_instances_client_id_couple_id_"
     "clients", "Foreign key fk_journey_instances_client_id_couple_id_clients of public.journey_instances (client_id, "
     "couple_id) references public.clients (id, couple_id) without pairing supplier_id on both sides."),
    ("WARN", "name_too_long", "public.index_clients_on_supplier_id_and_wedding_date_where_not_deleted",
     "The index name 'index_clients_on_supplier_id_and_wedding_date_where_not_deleted' is 63 bytes, PostgreSQL's "
     "limit: check that the migration did not write a longer name."),
    ("WARN", "security_definer_function_executable_by_authenticated",
     "public.search_clients(p_supplier_id uuid, p_query text, p_limit integer)",
     "Security definer function public.search_clients(p_supplier_id uuid, p_query text, p_limit integer) can be "
     "called by any signed-in user."),
    ("INFO", "multiple_permissive_policies", "public.team_members", "Table public.team_members has several "
     "permissive policies per role and command (authenticated delete: team_members_delete_admin, "
     "team_members_delete_owner, team_members_delete_self)."),
]


def _results(directory: Path) -> list[StepResult]:
    """The main job's steps as a run ends them, through the rls and perf steps' own report code."""
    seed = ("World fingerprint `f88644731ed4d3b66d7d952cac24b6707e7868e509705cb7b9816195748d9f36`, as of 2025-06-14: "
            "`wedsync-db seed --profile ci --seed 42 --as-of 2025-06-14 --fingerprint` loads the same rows.\n\n"
            "| table | rows |\n| --- | ---: |\n" + "".join(f"| {t} | {n * 1234:,} |\n"
                                                        for n, t in enumerate(sorted(load_matrix().tables))))
    lint = "| level | lint | object | detail |\n| --- | --- | --- | --- |\n" + "".join(
        f"| {level} | {lint} | {obj} | {detail} |\n" for level, lint, obj, detail in LINT_ROWS)
    cov = _coverage()
    replay = ("-- escalation replay: run on a database holding the same seeded world\nbegin;\nselect set_config('role',"
              " 'authenticated', true), set_config('request.jwt.claims', '{\"aal\":\"aal1\",\"app_metadata\":"
              "{\"provider\":\"email\",\"providers\":[\"email\"]},\"sub\":\"2770de00-3289-5ecc-8f84-81ab82d643af\"}',"
              " true);\nselect * from public.reviews where id = '00000000-03fa-8eaf-9977-d0ef2253c99e';\nrollback;")
    rls_text, rls_figures = rls_details(
        cov, cov.summary() + "; 620 attempts/s",
        f"**Escalation search** (second oracle: schema/ownership.yaml, never the matrix): 1 violation.\n\n"
        f"```sql\n{replay}\n```")
    doc = _bench_doc()
    perf_text, perf_figures = perf_details(doc, plots(doc))
    return [
        StepResult("server", "passed", "PostgreSQL 15 on 127.0.0.1:5432 (temporary cluster in memory)", 0.6),
        StepResult("seed", "passed", "profile ci, seed 42: 202,114 rows in 3.1 s, every foreign key verified", 3.4,
                   details_markdown=seed),
        StepResult("lint", "failed", "31 catalog lints: 1 errors, 2 warnings, 1 notes", 0.4, details_markdown=lint),
        StepResult("rls", "failed", cov.summary(), 85.2, details_markdown=rls_text, figures=rls_figures,
                   cases=[Case("clients:select:anon", True)]),
        StepResult("integrity", "skipped", "skipped on request (--skip)"),
        StepResult("perf", "failed", "55/60 plan gates pass; slowest median 6.8 ms", 28.3,
                   details_markdown=perf_text, figures=perf_figures),
    ]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """report.md and report.html written by the main job's writers into a fresh folder."""
    directory = tmp_path_factory.mktemp("report")
    results = _results(directory)
    context = {"profile": "ci", "seed": "42", "database": "postgresql://postgres@127.0.0.1:5432/wedsync",
               "report": str(directory)}
    write_markdown(results, directory / "report.md", title="wedsync-db report", context=context)
    write_html(results, directory / "report.html", title="wedsync-db report", context=context)
    return directory


@pytest.fixture(scope="module")
def layout(report: Path) -> dict[str, Any]:
    """What the measuring script found in report.html laid out by headless Chromium at 1,400 px."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed: bin/bootstrap installs Debian's package chromium")
    page = report / "measured.html"
    page.write_text((report / "report.html").read_text().replace("</body>", MEASURE + "</body>"))
    completed = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
         f"--user-data-dir={report / 'chromium-profile'}", f"--window-size={WIDTH},{HEIGHT}", "--dump-dom",
         page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    found = re.search(r'<script type="application/json" id="layout">(.*?)</script>', completed.stdout, re.S)
    assert found, f"chromium printed no measurement (exit {completed.returncode}): {completed.stderr[-2000:]}"
    return dict(json.loads(found.group(1)))


def test_reader_at_1400_px_sees_nothing_wider_than_the_page(layout: dict[str, Any]) -> None:
    """No element runs past the page's right edge, and no table or code box needs scrolling at this width."""
    assert layout["scrollWidth"] <= layout["page"], f"the page scrolls sideways: {layout['scrollWidth']} px"
    assert not layout["wide"], "past the page's edge:\n" + "\n".join(layout["wide"][:20])
    assert not layout["scrolling"], "scrolls inside its box:\n" + "\n".join(layout["scrolling"])


def test_reader_sees_every_table_name_of_the_heatmap_on_one_line(layout: dict[str, Any]) -> None:
    """The heatmap's row headers (rls/report.heatmap_fragment) hold each table's name on one line, in every table."""
    assert len(layout["tableNames"]) == 4 * len(load_matrix().tables)
    assert not layout["tableNameLines"], "\n".join(layout["tableNameLines"])
    assert not layout["narrow"], "cells broken into lines of a letter or two:\n" + "\n".join(layout["narrow"][:20])


def test_reader_sees_the_heatmap_grouped_by_command_with_sticky_headers(layout: dict[str, Any]) -> None:
    """One section per command (select, insert, update, delete), each with a header that stays in view."""
    counts = layout["counts"]
    assert counts["heatmaps"] == 1
    assert counts["commands"] == 4
    assert counts["stickyHeads"] == 4


def test_reader_sees_markdown_rendered_and_plots_inline(layout: dict[str, Any], report: Path) -> None:
    """Emphasis, bold and code are elements, not `*` or back-quotes; each plot is an inline SVG in its section."""
    assert not layout["raw"], "Markdown left raw:\n" + "\n".join(layout["raw"][:20])
    counts = layout["counts"]
    assert counts["em"] and counts["strong"] and counts["code"], counts
    plot_references = re.findall(r"!\[[^\]]*\]\((perf/[^)]+\.svg)\)", (report / "report.md").read_text())
    assert plot_references and counts["plots"] == len(plot_references), counts
    assert counts["svgImages"] == 0


def test_figure_reference_becomes_the_figure_and_raw_html_stays_text() -> None:
    """page.markdown_html: a paragraph that only references a known figure is the figure; '<unknown>' stays text."""
    figures = {"perf/x.svg": "<svg id='x'></svg>", "heatmap.html": "<div class='heatmap'></div>"}
    html = str(markdown_html("![Latency](perf/x.svg)\n\n[Heatmap](heatmap.html)\n\n![Other](y.svg) <unknown>",
                             figures))
    assert '<figure class="plot"><figcaption>Latency</figcaption><svg id=\'x\'></svg></figure>' in html
    assert '<figure class="figure"><figcaption>Heatmap</figcaption><div class=\'heatmap\'></div></figure>' in html
    assert '<img src="y.svg" alt="Other" />' in html and "&lt;unknown&gt;" in html
