"""Steward settings. Everything that differs between machines comes from the environment.

DEBUG=1 is the developer/demo mode; without it the settings are production-grade
(secure cookies, HSTS, SSL redirect) and `manage.py check --deploy` is clean.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("STEWARD_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# pytest is imported before the settings whenever the test suite runs.
TESTING = env_bool("STEWARD_TESTING", "pytest" in sys.modules)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        # Only for a developer's laptop and the test suite; production must set its own.
        SECRET_KEY = "steward-insecure-development-key-not-for-production-use-0123456789"
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if (DEBUG or TESTING) else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "django_celery_beat",
    "axes",
    "steward.core",
    "steward.access",
    "steward.org",
    "steward.basedata",
    "steward.audit",
    "steward.privacy",
    "steward.approvals",
    "steward.jobs",
    "steward.notices",
    "steward.customers",
    "steward.holdings",
    "steward.segments",
    "steward.tags",
    "steward.imports",
    "steward.worklog",
    "steward.agenda",
    "steward.security",
    "steward.interactions",
    "steward.contactplans",
    "steward.leads",
    "steward.allocation",
    "steward.tasks",
    "steward.attendance",
    "steward.workbench",
    "steward.channels",
    "steward.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "steward.audit.context.AuditContextMiddleware",
    "steward.org.middleware.SessionActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages: they tell the user why they are back on the login page.
    "steward.security.middleware.IdleSessionMiddleware",
    "steward.security.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: it turns a lockout into the login page with its message.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "steward.urls"
WSGI_APPLICATION = "steward.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "steward" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "steward.core.context_processors.shell",
                "steward.notices.context_processors.notice_bar",
            ],
        },
    },
]

# Database: an embedded SQLite file unless DATABASE_URL says otherwise.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'steward.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; the timeout makes writers queue.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: the pages' queries are short, and on a large table PostgreSQL's cost estimate alone
    # could trigger half a second of compiling for a query that runs in milliseconds.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.Employee"
# django-axes first: it refuses a locked-out account or address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "steward.security.backends.LockoutBackend",
    "steward.access.backends.RegistryPermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "steward.core.validators.LettersAndDigitsValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

SESSION_ENGINE = "django.contrib.sessions.backends.db"
# The longest a session lives at all; inactivity ends it sooner (system parameter
# "security.session_idle_minutes", enforced by steward.security.middleware.IdleSessionMiddleware).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Login lockout (django-axes; docs/security.md): after LOGIN_FAILURE_LIMIT failed logins within the
# cool-off period, the account and the address are refused until LOGIN_COOLOFF_MINUTES have passed.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
# Each inner list is counted on its own: per account, and per client address.
AXES_LOCKOUT_PARAMETERS = [
    [name.strip() for name in group.split("+")] for group in env_list("LOGIN_LOCKOUT_PARAMETERS", "username,ip_address")
]
AXES_USERNAME_FORM_FIELD = "username"  # the employee number
AXES_LOCKOUT_CALLABLE = "steward.core.auth_views.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
AXES_DISABLE_ACCESS_LOG = True  # logins and logouts go to the audit trail (steward.audit)
AXES_VERBOSE = env_bool("AXES_VERBOSE", False)
# Behind reverse proxies the client address is taken from X-Forwarded-For, counting this many proxies.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

# Audit chain anchors (PLT-07, docs/audit.md): where the daily job audit.anchor_head appends the
# chain head, outside the database — file:/path, syslog:/dev/log, syslog://host:514 or an http(s)
# webhook URL, comma-separated. The audit chain's HMAC keys come from STEWARD_AUDIT_KEYS. Tests
# start with none (a test database's chain must not meet another's anchors) and set their own.
AUDIT_ANCHOR_SINKS = env_list("STEWARD_AUDIT_ANCHORS", "" if TESTING else f"file:{VAR_DIR / 'audit-anchors.jsonl'}")

# Second factor (TOTP). Secrets are encrypted with the personal-data key ring (STEWARD_PII_KEYS).
TOTP_ISSUER = os.environ.get("TOTP_ISSUER", "Steward")

# Cache: Redis when REDIS_URL is given (shared by every process), else per-process memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "steward"}}
# Live progress of long work (intake loads: steward.holdings.progress) must cross from the worker
# to the web process while the work's transaction is still open, so it lives outside the database:
# in Redis, or else in files every process of the machine shares (tests: this process's memory).
if REDIS_URL:
    CACHES["progress"] = {**CACHES["default"], "KEY_PREFIX": "progress"}
elif TESTING:
    CACHES["progress"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "progress"}
else:
    CACHES["progress"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "progress"),
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    }

# Internationalisation: the browser's language unless the user picked one.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
# Per-language number formats over Django's: zh-Hans amounts grouped by thousands (PLT-12).
FORMAT_MODULE_PATH = ["steward.formats"]

STATIC_URL = "static/"
# Where collectstatic gathers the files WhiteNoise serves in production (docs/configuration.md).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "steward" / "static"]
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Hashed, expiring, revocable tokens (steward.access.models.ApiToken; docs/security.md).
        "steward.access.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["steward.core.drf.RegistryPermission"],
    "DEFAULT_PAGINATION_CLASS": "steward.core.drf.StandardPagination",
    # JSON nested deeper than 64 levels is a 400 (PLT-11); forms and uploads as usual.
    "DEFAULT_PARSER_CLASSES": [
        "steward.core.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "steward.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Steward API",
    "DESCRIPTION": "Standard interfaces for external systems (PLT-11). Every endpoint applies the "
    "caller's functional permissions and data scope.",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["steward.core.drf.ApiDocsPermission"],
    "ENUM_NAME_OVERRIDES": {
        "DataScopeEnum": "steward.access.models.SCOPE_CHOICES",
        "EmployeeStatusEnum": "steward.org.models.Employee.Status",
        "InteractionChannelEnum": "steward.interactions.models.Interaction.Channel",
        "InteractionOutcomeEnum": "steward.interactions.models.Interaction.Outcome",
        "CallOutcomeEnum": "steward.interactions.models.CallRecord.Outcome",
        "CallUnmatchedReasonEnum": "steward.interactions.models.CallRecord.Reason",
        "MessageChannelEnum": "steward.channels.models.Channel",
        "MessageStatusEnum": "steward.channels.models.Status",
        "MessageReasonEnum": "steward.channels.models.Reason",
        "AttendanceStatusEnum": "steward.attendance.models.AttendanceDay.Status",
        "LeadLevelEnum": "steward.leads.models.Lead.Level",
        "NoticeLevelEnum": "steward.notices.models.Notice.Level",
        "LeadSourceEnum": "steward.leads.models.Lead.Source",
        "TaskSourceEnum": "steward.tasks.models.Task.Source",
        "TaskTypeEnum": "steward.tasks.models.Task.Type",
        "AllocationModeEnum": "steward.allocation.models.Mode",
    },
}

DJANGO_TABLES2_TEMPLATE = "core/table.html"

# Celery: with no broker configured the demo runs on a file-system transport (no server needed).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
if not CELERY_BROKER_URL:
    _queue_dir = VAR_DIR / "celery-queue"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_queue_dir),
        "store_processed": False,
        # Broadcast/control messages too, or kombu writes a ./control folder wherever it runs.
        "control_folder": str(_queue_dir / "control"),
    }
CELERY_TASK_ALWAYS_EAGER = TESTING and not env_bool("CELERY_REAL_WORKER", False)
# A job run's lease (docs/jobs.md): how long after its worker's last heartbeat a run counts as
# stopped, is marked failed and lets the job run again. The worker renews it every fifth of this.
STEWARD_JOB_LEASE_SECONDS = int(os.environ.get("STEWARD_JOB_LEASE_SECONDS", "300"))
# File imports (docs/configuration.md, docs/customers.md): the largest upload accepted, in bytes
# (100 MiB ≈ 2,000,000 customers in .xlsx), and how many rows are checked and committed at a time.
STEWARD_IMPORT_MAX_BYTES = int(os.environ.get("STEWARD_IMPORT_MAX_BYTES", str(100 * 1024 * 1024)))
STEWARD_IMPORT_BATCH_ROWS = int(os.environ.get("STEWARD_IMPORT_BATCH_ROWS", "5000"))
# .xlsx files up to this size are read by calamine (fast, holds the sheet in memory); larger ones stream.
STEWARD_IMPORT_FAST_XLSX_BYTES = int(os.environ.get("STEWARD_IMPORT_FAST_XLSX_BYTES", str(32 * 1024 * 1024)))
# An uploaded file holds personal data: a file no run will import any more (a check nobody imported,
# a refused or failed run) is deleted this many days after its run (job imports.forget_old_uploads).
STEWARD_IMPORT_KEEP_UPLOAD_DAYS = int(os.environ.get("STEWARD_IMPORT_KEEP_UPLOAD_DAYS", "7"))
# Channels (INT-05, docs/channels.md): which adapter sends each channel. A channel whose gateway is
# not configured writes its messages to var/outbox/<channel>.log (the demo). STEWARD_SMS_ADAPTER,
# STEWARD_EMAIL_ADAPTER and STEWARD_PUSH_ADAPTER choose another (console, gateway, smtp, webhook or
# the dotted path of an adapter class).
STEWARD_SMS_GATEWAY_URL = os.environ.get("STEWARD_SMS_GATEWAY_URL", "")
STEWARD_SMS_GATEWAY_TOKEN = os.environ.get("STEWARD_SMS_GATEWAY_TOKEN", "")
STEWARD_PUSH_WEBHOOK_URL = os.environ.get("STEWARD_PUSH_WEBHOOK_URL", "")
STEWARD_PUSH_WEBHOOK_TOKEN = os.environ.get("STEWARD_PUSH_WEBHOOK_TOKEN", "")
STEWARD_CHANNEL_ADAPTERS = {
    "sms": os.environ.get("STEWARD_SMS_ADAPTER") or ("gateway" if STEWARD_SMS_GATEWAY_URL else "console"),
    "email": os.environ.get("STEWARD_EMAIL_ADAPTER") or ("smtp" if os.environ.get("EMAIL_HOST") else "console"),
    "push": os.environ.get("STEWARD_PUSH_ADAPTER") or ("webhook" if STEWARD_PUSH_WEBHOOK_URL else "console"),
}
STEWARD_CHANNEL_HTTP_TIMEOUT = float(os.environ.get("STEWARD_CHANNEL_HTTP_TIMEOUT", "10"))
STEWARD_OUTBOX_DIR = Path(os.environ.get("STEWARD_OUTBOX_DIR", VAR_DIR / "outbox"))
# E-mail (the e-mail adapter sends through Django's backend, SMTP by default).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "steward@localhost")
STEWARD_EMAIL_FROM = os.environ.get("STEWARD_EMAIL_FROM", "")

CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

# Users seen within this many minutes count as online (PLT-02).
ONLINE_WINDOW_MINUTES = int(os.environ.get("ONLINE_WINDOW_MINUTES", "15"))

# Every handler carries the personal-data redaction filter (PLT-13, docs/security-pii.md): ID,
# mobile and card numbers are masked in every line, including the web server's access lines
# ("django.server", which carry query strings such as ?q=<a mobile number>). Loggers that Django
# configures with handlers of its own are routed to these handlers instead. A handler added here
# must list "redact_pii" (tests/security/test_logs.py checks).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_pii": {"()": "steward.privacy.logging.RedactPersonalData"}},
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_pii"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server", "filters": ["redact_pii"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's default handlers (an unfiltered console, mail_admins) are replaced: through the root.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not TESTING)
    SESSION_COOKIE_SECURE = not TESTING
    CSRF_COOKIE_SECURE = not TESTING
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

SITE_NAME = _("Steward")
