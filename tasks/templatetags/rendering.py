from django import template
from django.utils.safestring import SafeString

from tasks import rendering
from tasks.models import MESSAGE_ROLES, Response, Task

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    return rendering.render_markdown(text or "")


@register.filter
def highlight(code: str, language: str) -> SafeString:
    return rendering.highlight_code(code or "", language)


@register.filter
def render_turn(content: str, language: str) -> SafeString:
    """A conversation turn's content: sanitized Markdown, its fenced code highlighted."""
    return rendering.render_turn(content or "", language)


@register.filter
def highlight_response(response: Response, task: Task) -> SafeString:
    """A response with line numbers, in the language rendering.response_language picks (Markdown for a
    conversation task's prose answer), from its stored rendering when that holds. Takes the task, not
    response.task, so a page pays no query per response."""
    return rendering.response_html(response, task)


@register.filter
def turns(task: Task) -> list[tuple[dict[str, str], SafeString]]:
    """A conversation task's turns with their HTML (render_turn's), from its stored rendering when that holds."""
    return list(zip(task.messages, rendering.turns_html(task), strict=True))


@register.filter
def role_label(role: str) -> str:
    """System, User or Assistant."""
    return MESSAGE_ROLES.get(role, str(role))
