"""Turn user and model text into safe HTML: Markdown through an allow-list sanitizer, code through Pygments.

Imported text (responses, conversation turns) is rendered once, when it is imported, and stored on its row
(Response.rendered, Task.rendered) with the RENDER_VERSION that made it; pages use the stored HTML only
when it is of the current version and of that very text, and render afresh otherwise.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Callable, Sequence
from functools import lru_cache
from html import escape as escape_text
from typing import Any, TypeVar

import markdown
import nh3
from django.db.models import QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES, _TokenType
from pygments.util import ClassNotFound

from tasks.models import Response, Task, fenced_program, markdown_parts

# Bump when what is stored would come out differently: the markup of highlighted_lines or render_turn,
# the sanitizer's allow-list, or a Pygments or Markdown upgrade that tokenizes differently. Pages then
# render afresh (as before rendering was stored) until `manage.py rerender` has brought every row up to date.
RENDER_VERSION = 1

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
                text = escape_text(part)  # django's escape, without its lazy-string wrapper: the import's hot loop
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


def diff_table(
    old: str,
    new: str,
    language: str,
    *,
    context: int = 3,
    old_lines: Sequence[str] | None = None,
    new_lines: Sequence[str] | None = None,
) -> SafeString:
    """Two codes compared line by line: changed lines with `context` lines around them, each row with
    its line number in the old and in the new code (blank where the line is not in that side), the
    code highlighted as in the panels. Hunks are separated by a row of dots. `old_lines` / `new_lines`
    are the codes' highlighted_lines in `language` if the caller has them (stored_lines), so they are
    not highlighted again; lines of another count than the code's are ignored."""
    a, b = source_lines(old), source_lines(new)
    a_html = old_lines if old_lines is not None and len(old_lines) == len(a) else highlighted_lines(old, language)
    b_html = new_lines if new_lines is not None and len(new_lines) == len(b) else highlighted_lines(new, language)
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


# Stored renderings (Response.rendered, Task.rendered). Each holds the language it was rendered in and a
# digest of its source, so an edit of the text (the admin) or of the task's language is never shown
# with the old HTML, whatever its version.


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _turns_source(messages: list[dict[str, str]]) -> str:
    return json.dumps([m["content"] for m in messages])


def response_language(code: str, task: Task) -> str:
    """The language a response's panel is highlighted in: Markdown (Pygments highlights the fenced code
    inside) when it is a conversation task's prose answer, the one whose fences the sandbox runs
    (Task.program_of); else the task's language."""
    prose = task.is_conversation and fenced_program(code, task.language) is not None
    return "markdown" if prose else task.language


def code_rendering(code: str, language: str) -> dict[str, Any]:
    """What Response.rendered stores: the code's highlighted_lines in `language`, and what they were made of."""
    return {"language": language, "source": _digest(code), "lines": highlighted_lines(code, language)}


def turns_rendering(messages: list[dict[str, str]], language: str) -> dict[str, Any]:
    """What Task.rendered stores: each turn as render_turn shows it in the task's `language`."""
    turns = [str(render_turn(m["content"], language)) for m in messages]
    return {"language": language, "source": _digest(_turns_source(messages)), "turns": turns}


def render_response(response: Response, task: Task) -> None:
    """Set the response's stored rendering to the current one (the caller saves it)."""
    response.rendered = code_rendering(response.code, response_language(response.code, task))
    response.render_version = RENDER_VERSION


def render_task(task: Task) -> None:
    """Set the task's stored rendering of its conversation turns to the current one (the caller saves it)."""
    task.rendered = turns_rendering(task.messages, task.language)
    task.render_version = RENDER_VERSION


def _stored(row: Task | Response, key: str, language: str, source: str, count: int) -> list[str] | None:
    """The row's stored list under `key` if it is of this version, language and source and has `count`
    strings; None otherwise (never rendered, an older or newer RENDER_VERSION, or edited since)."""
    stored = row.rendered
    if row.render_version != RENDER_VERSION or not isinstance(stored, dict):
        return None
    if stored.get("language") != language or stored.get("source") != _digest(source):
        return None
    items = stored.get(key)
    if not isinstance(items, list) or len(items) != count or not all(isinstance(item, str) for item in items):
        return None
    return items


def stored_lines(response: Response, language: str) -> list[str] | None:
    """The response's stored highlighted_lines in `language`, or None when they cannot be trusted (then
    the caller highlights the code itself); for diff_table's old_lines / new_lines."""
    return _stored(response, "lines", language, response.code, len(source_lines(response.code)))


def response_html(response: Response, task: Task) -> SafeString:
    """A response's code panel as highlight_code makes it: from the stored lines when they hold, else rendered now."""
    language = response_language(response.code, task)
    lines = stored_lines(response, language)
    if lines is None:
        return highlight_code(response.code, language)
    return lines_table([(str(n), html) for n, html in enumerate(lines, 1)])  # escaped when it was stored


def turns_html(task: Task) -> list[SafeString]:
    """Each conversation turn of the task as render_turn shows it: stored when it holds, else rendered now."""
    turns = _stored(task, "turns", task.language, _turns_source(task.messages), len(task.messages))
    if turns is None:
        return [render_turn(m["content"], task.language) for m in task.messages]
    return [mark_safe(html) for html in turns]  # noqa: S308 - sanitised or escaped when it was stored


Row = TypeVar("Row", Task, Response)


def rerender_tasks(*, everything: bool = False, chunk: int = 500) -> int:
    """Store the current rendering on every task rendered by another RENDER_VERSION (`everything`: on
    every task), `chunk` rows a query and a bulk update; how many were rendered."""
    rows = Task.objects.only("id", "language", "messages")
    return _rerender(rows, render_task, everything=everything, chunk=chunk)


def rerender_responses(*, everything: bool = False, chunk: int = 500) -> int:
    """As rerender_tasks, for responses (with each one's task, whose language they are highlighted in)."""
    rows = Response.objects.select_related("task").only("id", "code", "task", "task__language", "task__messages")
    return _rerender(rows, _render_with_task, everything=everything, chunk=chunk)


def _render_with_task(response: Response) -> None:
    render_response(response, response.task)


def _rerender(rows: QuerySet[Row], render: Callable[[Row], None], *, everything: bool, chunk: int) -> int:
    if not everything:
        rows = rows.exclude(render_version=RENDER_VERSION)  # older, or newer after a rollback: both are stale
    done, last = 0, 0
    while batch := list(rows.filter(pk__gt=last).order_by("pk")[:chunk]):
        for row in batch:
            render(row)
        type(batch[0]).objects.bulk_update(batch, ["rendered", "render_version"])
        done, last = done + len(batch), batch[-1].pk
    return done
