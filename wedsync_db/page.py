"""Render the reports' Markdown as HTML pages: markdown-it-py for the text, Jinja2 templates for the page.

Markdown is the source of every report: a step writes Markdown, report.md keeps it as written, and report.html
renders it. A figure (an SVG plot, the access-matrix heatmap) is referenced from the Markdown by its file, as an
image (``![Latency per query](perf/latency.svg)``) or a link standing alone in its paragraph
(``[Access-matrix heatmap](heatmap.html)``); report.md keeps the reference, which opens the file written beside
it, and the page draws the figure there, inline, with the reference's text as its caption.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markupsafe import Markup, escape

# CommonMark plus GitHub's tables. Raw HTML stays text: report text quotes PostgreSQL and pytest messages, whose
# "<unknown>" or "<Actor ...>" would otherwise be taken for tags and vanish.
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")
_MARKDOWN.add_render_rule("table_open", lambda *_: '<div class="table-wrap"><table>\n')
_MARKDOWN.add_render_rule("table_close", lambda *_: "</table></div>\n")
# Long identifiers (index names, policy lists) may break after "_", "." or "/": without that a column is as wide as
# its longest name and a four-column table of them runs past a laptop's screen.
_LONG_WORD = re.compile(r"[^\s<>&]{24,}")
_BREAK_AFTER = re.compile(r"(?<=[_./])(?=[^\s])")


def _breakable(escaped: str) -> str:
    return _LONG_WORD.sub(lambda word: _BREAK_AFTER.sub("<wbr>", word.group()), escaped)


_MARKDOWN.add_render_rule("text", lambda _renderer, tokens, idx, *_: _breakable(escapeHtml(tokens[idx].content)))
_MARKDOWN.add_render_rule(
    "code_inline", lambda _renderer, tokens, idx, *_: f"<code>{_breakable(escapeHtml(tokens[idx].content))}</code>")

_TEMPLATES = Environment(loader=PackageLoader("wedsync_db", "templates"), autoescape=True, undefined=StrictUndefined,
                         trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def markdown_html(text: str, figures: Mapping[str, str] | None = None) -> Markup:
    """Render Markdown as HTML, drawing each referenced figure of ``figures`` (file name -> HTML) inline."""
    tokens = _MARKDOWN.parse(text)
    if figures:
        tokens = _inline_figures(tokens, figures)
    return Markup(_MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {}))


def markdown_inline(text: str) -> Markup:
    """Render one line of Markdown (emphasis, code) without a paragraph around it: for table cells and summaries."""
    return Markup(_MARKDOWN.renderInline(text))


def figure_html(caption: str, content: str, *, kind: str = "plot") -> Markup:
    """A figure with its caption above it; ``content`` is trusted HTML (matplotlib's SVG, the heatmap)."""
    return Markup(f'<figure class="{escape(kind)}"><figcaption>{markdown_inline(caption)}</figcaption>'
                  f"{content}</figure>")


def render(template: str, **context: Any) -> str:
    """Render one of the package's templates (``wedsync_db/templates``) with ``context``."""
    return _TEMPLATES.get_template(template).render(**context)


def _inline_figures(tokens: Sequence[Token], figures: Mapping[str, str]) -> list[Token]:
    """Replace each paragraph that is only a reference to a known figure by the figure itself."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        reference = _figure_reference(tokens[i:i + 3])
        if reference and reference[0] in figures:
            name, caption = reference
            kind = "plot" if name.endswith(".svg") else "figure"
            block = Token("html_block", "", 0, block=True, content=str(figure_html(caption, figures[name], kind=kind)))
            out.append(block)
            i += 3
            continue
        out.append(tokens[i])
        i += 1
    return out


def _figure_reference(window: Sequence[Token]) -> tuple[str, str] | None:
    """(target, caption) when ``window`` is a paragraph holding one image or one link and nothing else."""
    if len(window) < 3 or window[0].type != "paragraph_open" or window[2].type != "paragraph_close":
        return None
    children = [t for t in (window[1].children or []) if not (t.type == "text" and not t.content.strip())]
    if len(children) == 1 and children[0].type == "image":
        image = children[0]
        return str(image.attrGet("src") or ""), image.content
    if [t.type for t in children] == ["link_open", "text", "link_close"]:
        return str(children[0].attrGet("href") or ""), children[1].content
    return None
