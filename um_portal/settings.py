"""UM Portal settings: one module, read from the environment.

Every knob is an environment variable with a documented default. Nothing is derived
silently from a missing variable: DEBUG is off unless asked for, and without DEBUG the
portal refuses to start without a SECRET_KEY.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is not set. Production mode (DEBUG off) refuses to start without it.")
    # Development only: DEBUG=1 was asked for explicitly.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

# Rotation (README "Rotating secrets"): the previous key still validates sessions and links.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The health plan's time zone: deadlines are computed in it (RULES.md section 1).
TIME_ZONE = env.str("TIME_ZONE", default="America/New_York")
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "en-us"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "um_portal",
    "cases",
    "criteria",
    "reviews",
    "automation",
    "notifications",
    "pas",
]

MIDDLEWARE = [
    # First: load balancers and docker-compose ask /healthz and /readyz by container address,
    # over plain HTTP; they are answered before the host check and the HTTPS redirect.
    "um_portal.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files (WhiteNoise) right after SecurityMiddleware, as its docs ask: answered
    # before sessions and the database are touched.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions and the database: a NUL in the address is a 400 (issue 12, item 8).
    "um_portal.middleware.NulCharacterMiddleware",
    # django-csp's, with the one policy every response gets built once per process.
    "um_portal.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "um_portal.middleware.SessionRenewMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "um_portal.middleware.MFAEnforcementMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "um_portal.middleware.DomainErrorMiddleware",
    "um_portal.middleware.StatementTimeoutMiddleware",
    "um_portal.middleware.NoStoreMiddleware",
    # Last, so it sees the outcome of every login attempt (django-axes docs).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "um_portal.urls"
WSGI_APPLICATION = "um_portal.wsgi.application"
AUTH_USER_MODEL = "um_portal.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "um_portal.context_processors.portal",
            ],
        },
    },
]

# Embedded default for a laptop (`make run`); production and CI set DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections (issue #13): a new PostgreSQL connection per request cost more than
# most requests themselves (measured: /healthz 301 req/s with 0, 1,029 req/s with 60). Each
# process keeps its connection this many seconds; the health check pings a reused one at the
# start of a request, so a restarted database costs no failed request. The only session
# state is the prepared statements below (statement_timeout is a libpq option given when
# the connection opens). 0: one connection per request, as before.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
# The small statements every request sends are prepared once per connection and planned
# from PostgreSQL's plan cache (um_portal/prepared.py, issue #13). Off (0) behind a pooler
# that shares sessions between clients (PgBouncer in transaction mode).
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
# A guard against the next slow query (issue #13): a web request's statement that runs
# longer than this many seconds is cancelled by PostgreSQL and answered 503 (in the API's
# error shape; um_portal.middleware.StatementTimeoutMiddleware), so no single request holds
# a web worker. Web processes only: um_portal/wsgi.py marks them (UM_WEB_PROCESS=1);
# Celery workers, beat and migrations run without a limit. 0 turns it off.
WEB_STATEMENT_TIMEOUT = env.float("WEB_STATEMENT_TIMEOUT", default=5.0)
if os.environ.get("UM_WEB_PROCESS") == "1":
    from .statement_timeout import database_options_with_timeout

    DATABASES["default"]["OPTIONS"] = database_options_with_timeout(DATABASES["default"], seconds=WEB_STATEMENT_TIMEOUT)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses locked-out users and addresses before any password check.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, a session's user read with their groups (um_portal/auth_backends.py).
    "um_portal.auth_backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Staff second factor (TOTP, django-otp). MFA_ENFORCED=0 only for `make run` demo mode:
# then nobody is asked for a code. Staff roles always need it otherwise; provider users
# need it when enrolled or when their organization requires it (um_portal.mfa).
MFA_ENFORCED = env.bool("MFA_ENFORCED", default=True)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="UM Portal")
RECOVERY_CODE_COUNT = 10
# API tokens expire after this many days without use (issue 12; NIST 800-63B 7.2 asks for
# an inactivity limit on long-lived authenticator outputs); the holder asks for a new one.
API_TOKEN_IDLE_DAYS = env.int("API_TOKEN_IDLE_DAYS", default=30)
# Where a second factor is required, enrolment only through a one-time link an
# administrator issues (admin action or `manage.py mfa_enrolment_link`), valid this long.
# DEMO_MODE (`make run`) keeps enrolment from the password for the seeded logins.
MFA_ENROLMENT_LINK_HOURS = env.int("MFA_ENROLMENT_LINK_HOURS", default=72)

# Lockout (django-axes): separately per username and per client address, after
# LOGIN_FAILURE_LIMIT failures (ASVS 2.2.1 asks for anti-automation; 5 is NIST 800-63B's
# lower end), for LOGIN_LOCKOUT_MINUTES or until an administrator unlocks.
# django-axes' own reset on success is off: it deletes every failure of the address too,
# so a good login of one's own account gave endless guesses at another's (issue 12). A
# success clears only its own username's failures (um_portal.lockout).
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "um_portal.lockout.lockout_response"
# The client address comes from um_portal.client_ip: REMOTE_ADDR, or behind
# TRUSTED_PROXY_COUNT reverse proxies the address the outermost trusted proxy saw
# (X-Forwarded-For read from the right). Wrong here means lock everyone out, or nobody.
AXES_CLIENT_IP_CALLABLE = "um_portal.client_ip.client_ip"
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# Served by WhiteNoise from STATIC_ROOT (`collectstatic`): hashed names only, gzip and
# Brotli copies, and a ten-year immutable Cache-Control; no other server needed.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
# Files browsers ask for at the site root (favicon.ico), served by WhiteNoise as they are.
WHITENOISE_ROOT = BASE_DIR / "um_portal" / "public"

# Clinical documents and letters go through Django's storage API only (never a path built
# by hand), to FILE_STORAGE: "filesystem" (default: a folder every node mounts, e.g. NFS
# or a shared volume) or "s3" (any S3-compatible store, through django-storages). Either
# way nothing has a public URL: files are served only through permission-checked views.
FILE_STORAGE = env.str("FILE_STORAGE", default="filesystem")
PRIVATE_STORAGE_ROOT = Path(env.str("PRIVATE_STORAGE_ROOT", default=str(BASE_DIR / "var" / "private")))
if FILE_STORAGE == "filesystem":
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_STORAGE_ROOT), "base_url": None},
    }
elif FILE_STORAGE == "s3":
    # Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or an instance role), read by boto3.
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            "location": env.str("S3_PREFIX", default="private"),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
            "object_parameters": {"ServerSideEncryption": env.str("S3_SERVER_SIDE_ENCRYPTION", default="AES256")},
        },
    }
else:
    raise ImproperlyConfigured(f"FILE_STORAGE must be 'filesystem' or 's3', not {FILE_STORAGE!r}.")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# 20 MB attachment cap (issue: provider portal). Request bodies may carry one file plus form.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
# Pages in one received fax file (issue 18): plans report faxed requests averaging well over
# ten pages; a file past this is a batch or a mistake and is kept as rejected, not keyed.
FAX_MAX_PAGES = env.int("FAX_MAX_PAGES", default=100)
# OCR pre-fill of received faxes (issue 18, item 2): the Tesseract program. Where it is not
# installed the pre-fill is off and says so; keying works as without it.
TESSERACT_CMD = env.str("TESSERACT_CMD", default="tesseract")
# A gateway that gets no acknowledgement sends the fax again: the same content from the same
# number within this many hours is one inbox row with the resend recorded.
FAX_RESEND_WINDOW_HOURS = env.int("FAX_RESEND_WINDOW_HOURS", default=24)
# The watched folder (issue 18): PDF/TIFF files dropped here are filed into the fax inbox
# and moved to processed/ or rejected/ beside them. Empty: no watched folder (the task
# says so in the log each run).
FAX_INBOX_DIR = env.str("FAX_INBOX_DIR", default="")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# E-mail: console on a laptop, SMTP through EMAIL_URL in production.
_email = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(_email)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="UM Portal <no-reply@um-portal.example>")
# The portal's own address, for links in e-mails (alerts link to the notifications page).
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000")

# Redis: broker for Celery and the shared cache (throttling, idempotency keys).
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHE_URL = env.str("CACHE_URL", default="locmemcache://")
CACHES = {
    "default": env.cache_url_config(CACHE_URL),
    # Rendered template fragments that are the same for everyone of a role (the navigation,
    # templates/_nav.html): in each process's memory, made again when it restarts (a deploy).
    "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "um-fragments"},
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A Redis that does not answer must cost a request at most a second, not hang it: the
    # throttles then count per process and signing is refused (um_portal.throttling).
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("socket_connect_timeout", 1)
    CACHES["default"]["OPTIONS"].setdefault("socket_timeout", 1)

# Celery. The broker is always explicit: `make run` chooses Redis when reachable and the
# embedded filesystem transport otherwise, and says which; tasks are never run eagerly.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
# Work that must not be lost: ack after the task ran, requeue if the worker died,
# and take one message at a time (Celery docs, "Should I use retry or acks_late?").
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Periodic work: DEADLINE_SWEEP_SECONDS, LETTERS_SWEEP_SECONDS, HEARTBEAT_SECONDS are read
# by um_portal.celery (the beat schedule).
# Readiness (/readyz): the worker's heartbeat and beat's last sweep may be this old.
READY_WORKER_MAX_AGE = env.float("READY_WORKER_MAX_AGE", default=120.0)
READY_BEAT_MAX_AGE = env.float("READY_BEAT_MAX_AGE", default=180.0)
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / "var" / "celerybeat-schedule")
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = Path(env.str("CELERY_FILESYSTEM_DIR", default=str(BASE_DIR / "var" / "celery-queue")))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes "not logged in" a 401, as API.md says
    # (DRF answers 403 when the first class is session authentication).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's token authentication, with tokens that expire when idle (um_portal.api_tokens).
        "um_portal.api_tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        # DRF's JSON, written by orjson (um_portal/renderers.py).
        "um_portal.renderers.FastJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # JSON with bounded nesting and no NUL characters (um_portal/parsers.py): 400, never 500.
    "DEFAULT_PARSER_CLASSES": [
        "um_portal.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "um_portal.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        # DRF's throttles, failing open to a per-process count when Redis is down (issue 12).
        "um_portal.throttling.UserRateThrottle",
        "um_portal.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_THROTTLE_USER", default="600/minute"),
        "anon": env.str("API_THROTTLE_ANON", default="60/minute"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "UM Portal API",
    "DESCRIPTION": "Prior authorization and referral API for contracted providers (see API.md).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI's files are served from our own static files (drf-spectacular-sidecar):
    # no third-party CDN on a portal that holds PHI, and it works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "PREPROCESSING_HOOKS": ["pas.views.fhir_schema_paths"],
}

# Security headers and cookies. Production (DEBUG off) gets the strict values;
# `check --deploy` must be clean with a production-like environment.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp 4): same-origin only and no inline script or style
# anywhere; JavaScript lives in static files. `data:` images carry the TOTP QR code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Idle logoff: a session ends SESSION_IDLE_SECONDS after its last save; a signed-in
# request saves it when the last save is SESSION_RENEW_SECONDS old (SessionRenewMiddleware),
# not on every request (issue #13: a write per page view). Below session.js's one-minute warning.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=15 * 60)
SESSION_RENEW_SECONDS = min(30, SESSION_COOKIE_AGE // 4)
SESSION_SAVE_EVERY_REQUEST = False
# Django's database sessions, read by a statement prepared once per connection.
SESSION_ENGINE = "um_portal.sessions"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# The plan's identity on pages and letters.
PLAN_NAME = env.str("PLAN_NAME", default="Mid-Atlantic Health Plan")
# Da Vinci PAS (pas/): the plan's own identifiers as insurer (NPIs, comma-separated; a
# request addressed to another NPI is refused; empty: not checked), the largest request
# Bundle taken (entries; the guide's examples hold at most 12), and the date the
# CapabilityStatement carries.
PAS_PAYER_IDENTIFIERS = env.list("PAS_PAYER_IDENTIFIERS", default=[])
PAS_MAX_BUNDLE_ENTRIES = env.int("PAS_MAX_BUNDLE_ENTRIES", default=500)
# The largest request body under /fhir/: one document of ATTACHMENT_MAX_BYTES, base64-encoded
# (4/3 larger), and the rest of the Bundle.
PAS_MAX_BUNDLE_BYTES = env.int("PAS_MAX_BUNDLE_BYTES", default=ATTACHMENT_MAX_BYTES * 4 // 3 + 1024 * 1024)
PAS_CAPABILITY_DATE = "2026-11-30"
# PAS subscriptions may name loopback or private endpoints only when this is on (tests, a
# lab): otherwise the worker would post wherever a subscriber points it.
PAS_SUBSCRIPTION_PRIVATE_ENDPOINTS = env.bool("PAS_SUBSCRIPTION_PRIVATE_ENDPOINTS", default=False)
# The public address of /fhir, used in notifications sent to subscribers.
PAS_BASE_URL = env.str("PAS_BASE_URL", default="http://127.0.0.1:8000/fhir")

# Demo mode: `make run` only. Loosens nothing in production.
DEMO_MODE = env.bool("DEMO_MODE", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_query_strings": {"()": "um_portal.log_filters.RedactQueryStrings"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_query_strings"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs every rendering step at INFO: one line per step per letter.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # runserver's request lines carry query strings: through the redacting handler.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
