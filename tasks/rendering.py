"""Turn user and model text into safe HTML: Markdown through an allow-list sanitizer, code through Pygments."""

from functools import lru_cache

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

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
    return HtmlFormatter(linenos="table", cssclass="highlight", wrapcode=True)


@lru_cache(maxsize=256)
def highlight_code(code: str, language: str) -> SafeString:
    """Syntax-highlighted HTML with line numbers; Pygments escapes every character of the code."""
    try:
        lexer = get_lexer_by_name(language, stripnl=False)
    except ClassNotFound:
        lexer = get_lexer_by_name("text", stripnl=False)
    return mark_safe(highlight(code, lexer, _formatter()))  # noqa: S308 - Pygments escapes its input


def pygments_css() -> str:
    return str(_formatter().get_style_defs(".highlight"))
