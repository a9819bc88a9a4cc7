"""The home page: widgets, each needing a permission, so every role gets its own home."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class HomeWidget:
    key: str
    title: object
    permission: str  # "" for every signed-in user
    template: str
    context: Callable  # (request) -> dict
    order: int = 100
    # How wide the card is on a large screen: "third" (default), "half" or "full" (the agenda,
    # a team table).
    size: str = "third"


WIDGETS: list[HomeWidget] = []


def register_widget(widget: HomeWidget) -> None:
    WIDGETS.append(widget)
    WIDGETS.sort(key=lambda w: (w.order, w.key))


def widgets_for(request):
    from steward.access.services import has_permission

    result = []
    for widget in WIDGETS:
        # An empty permission: every signed-in user (e.g. the bulletin board of notices, whose
        # audience decides what each sees).
        if not widget.permission or has_permission(request.user, widget.permission):
            result.append(
                {
                    "key": widget.key,
                    "title": widget.title,
                    "template": widget.template,
                    "size": widget.size,
                    **widget.context(request),
                }
            )
    return result
