import json

from django import template

register = template.Library()


@register.filter
def as_json(value):
    """A schema value as the JSON its author wrote (true, "text", [1, 2]); (none) when absent."""
    if value is None:
        return "(none)"
    return json.dumps(value, ensure_ascii=False)
