from django.urls import NoReverseMatch, reverse

from steward.access.registry import registry


def shell(request):
    """The permitted left menu, grouped by section, for the page layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def build():
        from steward.access.services import has_permission

        sections: dict[str, dict] = {}
        current = request.path
        for item in registry.menu:
            if not has_permission(user, item.permission):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            section = sections.setdefault(str(item.section), {"label": item.section, "items": []})
            section["items"].append(
                {"key": item.key, "label": item.label, "url": url, "icon": item.icon, "active": current.startswith(url)}
            )
        return list(sections.values())

    return {"menu_sections": build}
