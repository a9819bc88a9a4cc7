"""gunicorn's own log lines, masked like every other log line (PLT-13).

gunicorn writes its access log ("gunicorn.access": every request line with its query string, e.g.
`GET /customers/?q=13812345678`, and the referrer) and its error log ("gunicorn.error") through
handlers it sets up itself, in the master process, before Django and settings.LOGGING are loaded.
This logger class puts the same RedactPersonalData filter that settings.LOGGING puts on every
Django handler on those handlers too. gunicorn.conf.py names it as `logger_class`.
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from steward.privacy.logging import install


class RedactingLogger(Logger):
    """gunicorn's logger with ID, mobile and card numbers masked on the access and error logs."""

    def setup(self, cfg):
        super().setup(cfg)  # also run again when gunicorn reloads its configuration (HUP)
        for log in (self.error_log, self.access_log):
            install(log)
