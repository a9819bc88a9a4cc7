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
        best = None  # the entry whose URL is the longest prefix of the page's path
        for item in registry.menu:
            if not has_permission(user, item.permission):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            section = sections.setdefault(str(item.section), {"label": item.section, "items": []})
            entry = {"key": item.key, "label": item.label, "url": url, "icon": item.icon, "active": False}
            section["items"].append(entry)
            if current.startswith(url) and (best is None or len(url) > len(best["url"])):
                best = entry
        # One entry is highlighted: /customers/org/ is "Org customers", not also "My customers"
        # (/customers/), whose URL it starts with.
        if best is not None:
            best["active"] = True
        return list(sections.values())

    return {"menu_sections": build}
