"""The home page: widgets, each needing a permission, so every role gets its own home."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class HomeWidget:
    key: str
    title: object
    permission: str
    template: str
    context: Callable  # (request) -> dict
    order: int = 100


WIDGETS: list[HomeWidget] = []


def register_widget(widget: HomeWidget) -> None:
    WIDGETS.append(widget)
    WIDGETS.sort(key=lambda w: (w.order, w.key))


def widgets_for(request):
    from steward.access.services import has_permission

    result = []
    for widget in WIDGETS:
        if has_permission(request.user, widget.permission):
            result.append(
                {"key": widget.key, "title": widget.title, "template": widget.template, **widget.context(request)}
            )
    return result
