"""One registry of every functional permission (menus and actions/buttons) — PLT-03.

Each app declares its permissions and menu entries in its `permissions.py`, imported by
its AppConfig.ready(). Names follow ``app.model:action`` (e.g. ``org.employee:change``).
Roles grant names from this registry only; a menu entry or button declares the name it
needs, and the same name is checked again by the view, the API and the service.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise


@dataclass(frozen=True)
class Permission:
    name: str  # "org.employee:change"
    label: str | Promise
    group: str | Promise  # heading under which the role editor lists it
    kind: str = "action"  # "menu" or "action"
    # Whether a role may attach a data scope to it; global actions (e.g. code tables) ignore scope.
    scoped: bool = True


@dataclass(frozen=True)
class MenuItem:
    key: str
    label: str | Promise
    url_name: str
    permission: str
    section: str | Promise
    icon: str = "circle"
    order: int = 100


@dataclass
class Registry:
    permissions: dict[str, Permission] = field(default_factory=dict)
    menu: list[MenuItem] = field(default_factory=list)

    def add_permissions(self, *permissions: Permission) -> None:
        for permission in permissions:
            if permission.name in self.permissions:
                raise ValueError(f"Permission {permission.name!r} is registered twice.")
            if ":" not in permission.name or "." not in permission.name.split(":")[0]:
                raise ValueError(f"Permission {permission.name!r} must look like 'app.model:action'.")
            self.permissions[permission.name] = permission

    def add_menu(self, *items: MenuItem) -> None:
        for item in items:
            self.menu.append(item)
        self.menu.sort(key=lambda item: (item.order, item.key))

    def validate(self) -> list[str]:
        """Problems that must stop start-up: a menu needing an unknown permission."""
        return [
            f"Menu item {item.key!r} needs unknown permission {item.permission!r}."
            for item in self.menu
            if item.permission not in self.permissions
        ]

    def grouped(self) -> list[tuple[str, list[Permission]]]:
        groups: dict[str, list[Permission]] = {}
        for permission in self.permissions.values():
            groups.setdefault(str(permission.group), []).append(permission)
        return list(groups.items())


registry = Registry()


def action_permissions(app_model: str, group, labels: dict[str, object], scoped: bool = True) -> list[Permission]:
    """Shorthand: the standard actions of one model, e.g. view / add / change / export."""
    return [Permission(f"{app_model}:{action}", label, group, scoped=scoped) for action, label in labels.items()]
