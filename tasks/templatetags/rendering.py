from django import template
from django.utils.safestring import SafeString

from tasks import rendering
from tasks.models import MESSAGE_ROLES, Response, Task, fenced_program

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
    """A response with line numbers: as Markdown (Pygments highlights the fenced code inside) when it is a
    conversation task's prose answer, the one whose fences the sandbox runs (Task.program_of); else as
    code in the task's language. Takes the task, not response.task, so a page pays no query per response."""
    prose = task.is_conversation and fenced_program(response.code, task.language) is not None
    return rendering.highlight_code(response.code, "markdown" if prose else task.language)


@register.filter
def role_label(role: str) -> str:
    """System, User or Assistant."""
    return MESSAGE_ROLES.get(role, str(role))
