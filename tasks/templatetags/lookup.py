from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """mapping[key], or None: for dicts keyed by a loop variable."""
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def scale_range(dimension: dict[str, Any]) -> range:
    """The scores of a rubric dimension, min to max."""
    return range(int(dimension.get("min", 1)), int(dimension.get("max", 5)) + 1)


@register.filter
def duration(seconds: Any) -> str:
    """Seconds as "1 h 05 min", "12 min" or "40 s"."""
    seconds = int(seconds or 0)
    minutes = seconds // 60
    if minutes >= 60:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{minutes} min" if minutes else f"{seconds} s"
