"""gunicorn settings for Steward in production (docs/configuration.md, "Production").

`make serve-production` (scripts/serve_production.py) starts gunicorn with this file; gunicorn also
reads it by itself when started from this folder. The environment variables below change a value
without editing the file, and gunicorn's command-line options override it.
"""

import os

wsgi_app = "steward.wsgi:application"

# Behind the TLS-terminating reverse proxy on the same machine (nginx …): listen on loopback only.
# The proxy must set X-Forwarded-Proto (settings.SECURE_PROXY_SSL_HEADER); gunicorn trusts the
# X-Forwarded-* headers of FORWARDED_ALLOW_IPS (default 127.0.0.1,::1).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Processes × threads. Rendering a page is Python work that holds the GIL, so one process per
# core (plus one, to keep every core busy while a process restarts) is what the CPU can use;
# while a request waits for the database its process's other threads render. 2 cores: 3 × 4 =
# 12 requests at once. Every thread may keep one database connection open (DB_CONN_MAX_AGE):
# on PostgreSQL, workers × threads (× app servers) must stay below max_connections (100).
_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
workers = int(os.environ.get("WEB_CONCURRENCY", _cores + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# A worker process that has not reported to gunicorn for `timeout` seconds (stuck, not merely
# busy: with threads a long request — an export, a 100 MiB upload — does not stop the reports)
# is killed and replaced. Work longer than a page view runs in the Celery worker, not here.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# On a restart or reload (SIGTERM, SIGHUP) a worker stops accepting and has this long to finish
# the requests it is serving; pages answer in well under a second, an export in seconds.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Idle keep-alive connections from the proxy are kept this long (the proxy's own idle timeout
# towards gunicorn must be shorter, or it may reuse a connection gunicorn is closing).
keepalive = 5
# Each worker is replaced after about a thousand requests (jittered, not all at once), so memory
# a large export or import left behind is returned to the system.
max_requests = 1000
max_requests_jitter = 100

# Access lines to standard output, errors to standard error; both masked (PLT-13): the logger
# class puts the personal-data filter of settings.LOGGING on gunicorn's own handlers.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
logger_class = "steward.privacy.gunicorn_logging.RedactingLogger"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
