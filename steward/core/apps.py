from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "steward.core"
    label = "core"
    verbose_name = _("Framework")

    def ready(self):
        from django.core import checks

        from steward.core import lookups, permissions  # noqa: F401  (permissions registers menus and actions)

        checks.register(check_permission_registry)
        cache_table_cell_signatures()
        lookups.register()  # ids beyond 64 bits match nothing instead of overflowing (PLT-11)


def cache_table_cell_signatures():
    """django-tables2 inspects the signature of a column's render/value/linkify callable for every
    cell it renders (``inspect.signature``), which was a fifth of a list page's server time. A
    callable's parameters never change: remember them per function (a bound method by its
    function, so one entry serves every table instance)."""
    import functools

    from django_tables2 import utils

    if getattr(utils.signature, "steward_cached", False):
        return
    inspect_signature = utils.signature

    @functools.lru_cache(maxsize=4096)
    def by_function(function, bound: bool):
        args, keywords = inspect_signature(function)
        return (args[1:], keywords) if bound else (args, keywords)

    def signature(fn):
        function = getattr(fn, "__func__", None)
        try:
            if function is not None and getattr(fn, "__self__", None) is not None:
                return by_function(function, True)
            return by_function(fn, False)
        except TypeError:  # an unhashable callable
            return inspect_signature(fn)

    signature.steward_cached = True
    utils.signature = signature


def check_permission_registry(app_configs, **kwargs):
    from django.core.checks import Error

    from steward.access.registry import registry

    return [Error(problem, id="steward.E001") for problem in registry.validate()]
