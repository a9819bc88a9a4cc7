from django import template

from steward.customers.mentions import render_note

register = template.Library()


@register.filter
def note_html(note):
    """A note's text with line breaks and its @mentions as highlighted names (SVC-12)."""
    return render_note(note)
