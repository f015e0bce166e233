"""Turn user and model text into safe HTML: Markdown through an allow-list sanitizer, code through Pygments."""

import difflib
from functools import lru_cache

import markdown
import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES, _TokenType
from pygments.util import ClassNotFound

from tasks.models import markdown_parts

_MARKDOWN_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
    "sup",
    "sub",
}


# Prompts and responses are rendered on every page view but never change: each process keeps the
# HTML of the most recent ones (keyed by the text itself, so an edit is a new entry).
@lru_cache(maxsize=256)
def render_markdown(text: str) -> SafeString:
    """Markdown to HTML with raw HTML neutralised: tags outside the allow-list are escaped, not kept."""
    html = markdown.markdown(text, extensions=["fenced_code", "tables", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html, tags=_MARKDOWN_TAGS, attributes={"a": {"href", "title"}}, url_schemes={"http", "https", "mailto"}
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


@lru_cache(maxsize=8)
def _formatter() -> HtmlFormatter:
    return HtmlFormatter(cssclass="highlight")


def source_lines(code: str) -> list[str]:
    """The code's lines as the code panels number them: split at \\n, \\r\\n or \\r only (as Pygments
    does; str.splitlines also splits at form feeds and U+2028, which a hostile response could use to
    make the numbers shown and the numbers a line comment is checked against disagree)."""
    lines = code.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines or [""]


def _css_class(ttype: _TokenType) -> str:
    """Pygments' short class for a token type (its nearest ancestor's that has one), as in pygments.css."""
    while ttype not in STANDARD_TYPES:
        ttype = ttype.parent
    return STANDARD_TYPES[ttype]


def highlighted_lines(code: str, language: str) -> list[str]:
    """Each source line as highlighted HTML; a token spanning lines (a docstring) is split at the line
    ends, so every line is complete markup on its own. Every character is escaped."""
    try:
        lexer = get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        lexer = get_lexer_by_name("text", stripnl=False, ensurenl=False)
    lines: list[list[str]] = [[]]
    for ttype, value in lexer.get_tokens(code):
        css = _css_class(ttype)
        for i, part in enumerate(value.split("\n")):
            if i:
                lines.append([])
            if part:
                text = escape(part)
                lines[-1].append(f'<span class="{css}">{text}</span>' if css else text)
    out = ["".join(parts) for parts in lines]
    want = len(source_lines(code))
    return (out + [""] * want)[:want]  # the lexer's line ends and source_lines' agree; never trust it blindly


def lines_table(rows: list[tuple[str, str]], *, css: str = "") -> SafeString:
    """(gutter, html) rows as the code panels' one-row-per-line table: numbers and code stay aligned
    when long lines wrap. The html must be escaped already (highlighted_lines)."""
    body = "".join(
        f'<tr data-line="{escape(number)}"><td class="ln">{escape(number)}</td><td class="lc">{html}</td></tr>'
        for number, html in rows
    )
    klass = f"code-lines {css}".strip()
    return mark_safe(f'<div class="highlight"><table class="{klass}"><tbody>{body}</tbody></table></div>')  # noqa: S308 - escaped above


@lru_cache(maxsize=256)
def highlight_code(code: str, language: str) -> SafeString:
    """Syntax-highlighted HTML, one table row per source line with its number; everything escaped."""
    return lines_table([(str(n), html) for n, html in enumerate(highlighted_lines(code, language), 1)])


def pygments_css() -> str:
    return str(_formatter().get_style_defs(".highlight"))


def diff_table(old: str, new: str, language: str, *, context: int = 3) -> SafeString:
    """Two codes compared line by line: changed lines with `context` lines around them, each row with
    its line number in the old and in the new code (blank where the line is not in that side), the
    code highlighted as in the panels. Hunks are separated by a row of dots."""
    a, b = source_lines(old), source_lines(new)
    a_html, b_html = highlighted_lines(old, language), highlighted_lines(new, language)
    groups = list(difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_grouped_opcodes(context))
    if not groups or all(tag == "equal" for group in groups for tag, *_ in group):
        return mark_safe('<p class="empty">The two responses are identical.</p>')
    rows = []
    for n, group in enumerate(groups):
        if n:
            rows.append('<tr class="hunk"><td class="ln">…</td><td class="ln">…</td><td class="lc"></td></tr>')
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                pairs = zip(range(i1, i2), range(j1, j2), strict=True)
                rows += [_diff_row("same", i + 1, j + 1, a_html[i]) for i, j in pairs]
                continue
            rows += [_diff_row("del", i + 1, None, a_html[i]) for i in range(i1, i2)]
            rows += [_diff_row("add", None, j + 1, b_html[j]) for j in range(j1, j2)]
    body = "".join(rows)
    return mark_safe(f'<div class="highlight"><table class="code-lines diff"><tbody>{body}</tbody></table></div>')  # noqa: S308 - escaped


def _diff_row(kind: str, old: int | None, new: int | None, html: str) -> str:
    sign = {"del": "-", "add": "+", "same": " "}[kind]
    label = {"del": "removed", "add": "added", "same": "unchanged"}[kind]
    return (
        f'<tr class="{kind}"><td class="ln">{old or ""}</td><td class="ln">{new or ""}</td>'
        f'<td class="lc"><span class="sign" aria-label="{label}">{sign}</span>{html}</td></tr>'
    )


_BLOCK = HtmlFormatter(cssclass="highlight", wrapcode=True)


@lru_cache(maxsize=256)
def render_turn(text: str, language: str) -> SafeString:
    """A conversation turn: its prose as sanitized Markdown (render_markdown) and each fenced block
    highlighted by Pygments, which escapes every character, in its tag's language (untagged: the task's)."""
    html = [
        render_markdown(body) if tag is None else _code_block(body, tag or language)
        for tag, body in markdown_parts(text)
    ]
    return mark_safe("".join(html))  # noqa: S308 - each part sanitised or escaped just above


def _code_block(code: str, language: str) -> str:
    try:
        lexer = get_lexer_by_name(language)
    except ClassNotFound:
        lexer = get_lexer_by_name("text")
    return str(highlight(code, lexer, _BLOCK))
