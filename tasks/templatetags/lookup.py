from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

BLANK_OPTION = '<option value="">\u2013</option>'  # an en dash: no choice yet


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """mapping[key], or None: for dicts keyed by a loop variable."""
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def scale_range(dimension: dict[str, Any]) -> range:
    """The scores of a rubric dimension, min to max."""
    return range(int(dimension.get("min", 1)), int(dimension.get("max", 5)) + 1)


def _options(numbers: range, current: Any) -> SafeString:
    """A blank option, then each number with `current` selected. Only the ints of the range are
    written (nothing to escape); `current` is only compared."""
    options = "".join(f'<option value="{n}"{" selected" if current == n else ""}>{n}</option>' for n in numbers)
    return mark_safe(BLANK_OPTION + options)  # noqa: S308 (ints only, above)


@register.simple_tag
def number_options(first: int, last: int, current: Any) -> SafeString:
    """The options of a rank select, first..last: built here because the template's loops over the
    rank and rating options were most of the workspace's nodes."""
    return _options(range(int(first), int(last) + 1), current)


@register.simple_tag
def score_options(dimension: dict[str, Any], current: Any) -> SafeString:
    """The options of a rating select: the rubric dimension's scale."""
    return _options(scale_range(dimension), current)


@register.filter
def duration(seconds: Any) -> str:
    """Seconds as "1 h 05 min", "12 min" or "40 s"."""
    seconds = int(seconds or 0)
    minutes = seconds // 60
    if minutes >= 60:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{minutes} min" if minutes else f"{seconds} s"
