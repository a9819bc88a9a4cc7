import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steward.settings")
application = get_wsgi_application()

# Django, the apps and their modules are loaded now and live as long as the worker: moved to the
# collector's permanent generation, a full collection no longer walks them (≈170,000 objects) in
# the middle of a request — on the workbench that pause was up to 100 ms.
gc.collect()
gc.freeze()
