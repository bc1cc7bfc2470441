"""Directory words for pages: a network status as its label, never its code."""

from django import template

from cases.models_directory import NetworkStatus

register = template.Library()


@register.filter
def network_label(value) -> str:
    """'out_of_network' -> 'Out of network'; an empty or unknown value -> 'unknown'."""
    try:
        return NetworkStatus(value).label
    except ValueError:
        return "unknown"
