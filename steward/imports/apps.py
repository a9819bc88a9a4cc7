from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """The one import pipeline every domain's file import runs on (CUS-13): customers now, leads and
    target lists later. A domain registers an `Importer` (steward/imports/registry.py)."""

    name = "steward.imports"
    label = "imports"
    verbose_name = _("Imports")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("importing")  # each app's importing.py registers its importers
        from steward.imports import jobs  # noqa: F401  (registers the system jobs)
