from django import template
from django.utils.safestring import SafeString

from tasks import rendering

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    return rendering.render_markdown(text or "")


@register.filter
def highlight(code: str, language: str) -> SafeString:
    return rendering.highlight_code(code or "", language)
