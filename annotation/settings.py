"""The one settings module: every knob comes from the environment (see the README's table).

Defaults are for a developer's machine (SQLite and a file-system broker under var/); production sets
DEBUG=0, SECRET_KEY, DATABASE_URL and CELERY_BROKER_URL.
"""

import datetime as dt
import hashlib
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from annotation.env import env_bool, env_float, env_int, env_list, env_rate, env_secret, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite, the file broker and exports write here: a fresh clone has none

DEBUG = env_bool("DEBUG", True)
_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
# Keys anyone can read in this repository: with DEBUG off they are refused, as is any key starting with
# "change-me" or with Django's "django-insecure-" (annotation/env.py, secret_problem).
PUBLISHED_SECRETS = frozenset(
    {
        _DEV_SECRET_KEY,
        "change-me-to-a-long-random-string-of-at-least-32-chars",  # .env.example's SECRET_KEY
        "change-me-to-another-long-random-string-of-at-least-32-chars",  # .env.example's PSEUDONYM_KEY
    }
)
SECRET_KEY = env_secret("SECRET_KEY", debug=DEBUG, dev_default=_DEV_SECRET_KEY, placeholders=PUBLISHED_SECRETS)
# Export pseudonyms are an HMAC of the annotator's id under this key (exporters/query.py). A key of its
# own: rotating SECRET_KEY (sessions, password resets) leaves every pseudonym as it was, and whoever holds
# SECRET_KEY cannot map a dataset back to user ids. In development it is derived from SECRET_KEY.
PSEUDONYM_KEY = env_secret(
    "PSEUDONYM_KEY",
    debug=DEBUG,
    dev_default=hashlib.sha256(f"pseudonyms:{SECRET_KEY}".encode()).hexdigest(),
    placeholders=PUBLISHED_SECRETS,
)
if not DEBUG and PSEUDONYM_KEY == SECRET_KEY:
    raise ImproperlyConfigured("PSEUDONYM_KEY must differ from SECRET_KEY: give it a random value of its own")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "axes",  # login lockout: AXES_* below
    "csp",  # Content-Security-Policy: CONTENT_SECURITY_POLICY below
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "tasks",
    "annotation",
    "sandbox",
    "exporters",
]

MIDDLEWARE = [
    "annotation.ops.metrics.RequestMetrics",  # first, so it times everything below
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "tasks.limits.BodyLimitMiddleware",  # before CSRF, whose check reads the body
    "django.middleware.csrf.CsrfViewMiddleware",
    "tasks.limits.PageThrottleMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lockout into its answer
]

ROOT_URLCONF = "annotation.urls"
WSGI_APPLICATION = "annotation.wsgi.application"

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
                "tasks.context_processors.sandbox_languages",
                "tasks.oidc.login_options",  # the login page's single sign-on button
            ],
        },
    },
]

# --- Database: SQLite under var/ unless DATABASE_URL says otherwise (postgres://user:pw@host/db).
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL={DATABASE_URL!r} is not understood: {exc}") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # CONN_MAX_AGE stays DB_CONN_MAX_AGE's, as on PostgreSQL: a connection opened for each request cost a
    # third of a draft save's time under make run's server (whose threads live as long as it does).
    #
    # A file, not memory, so that a Celery worker started by a test sees the test database; one per
    # test process, so two runs side by side (or a run beside `make run`) never share one.
    _db["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
    # WAL with synchronous=NORMAL: a commit no longer waits for the disk; the file cannot be corrupted, a
    # crash of the machine (not of the app) can lose the last commits (README, "decisions").
    _db["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif _db["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_PREPARED_STATEMENTS", True):
    # Parameters bound by the server, and a statement prepared once a connection has run it twice: the
    # claim's and the page's statements repeat with new values only, and planning them again each time
    # was a third of their time in PostgreSQL (the claim's task read: 1.5 ms, then 0.5). Off
    # (DB_PREPARED_STATEMENTS=0) behind a pooler in transaction mode, which cannot keep them.
    _db["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 2}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "tasks.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "tasks.auth.RevokeApiTokensOnPasswordChange"},  # a hook, not a rule: see its docstring
]
AUTHENTICATION_BACKENDS = ["tasks.auth.LoginLockoutBackend", "tasks.auth.PasswordBackend"]

# --- Single sign-on through OpenID Connect (mozilla-django-oidc, tasks/oidc.py): off unless OIDC_ENABLED=1;
# off, its two URLs answer 404 and the login page has no button. The OIDC_OP_*/OIDC_RP_* names are the
# library's; the README's table lists the environment variables. Endpoints left blank are read from the
# issuer's discovery document. ID tokens must be RS256, signed by a key of the provider's JWKS.
OIDC_ENABLED = env_bool("OIDC_ENABLED", False)
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "single sign-on")  # the button: "Sign in with ..."
OIDC_ISSUER = env_url("OIDC_ISSUER", "")  # exactly as the provider writes `iss`, trailing slash and all
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", "")
OIDC_RP_SCOPES = env_str("OIDC_SCOPES", "openid email profile")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_url("OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_url("OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_url("OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_url("OIDC_JWKS_ENDPOINT", "")
# Only verified addresses in these domains sign in (exact domain, no subdomains); OIDC_ENABLED=1 with an
# empty list refuses to start rather than refuse everyone at the door.
OIDC_ALLOWED_EMAIL_DOMAINS = [domain.lower() for domain in env_list("OIDC_ALLOWED_EMAIL_DOMAINS", [])]
OIDC_CREATE_USER = env_bool("OIDC_CREATE_USERS", True)  # unknown addresses get an account without any project
OIDC_PASSWORD_LOGIN = env_bool("OIDC_PASSWORD_LOGIN", True)  # off: no password works, admin and API included
OIDC_TIMEOUT = env_float("OIDC_TIMEOUT", 10.0, minimum=1)  # seconds a call to the provider may take (library: forever)
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_PKCE = True
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc-callback"
if OIDC_ENABLED:
    _oidc_missing = [
        name
        for name, value in (
            ("OIDC_ISSUER", OIDC_ISSUER),
            ("OIDC_CLIENT_ID", OIDC_RP_CLIENT_ID),
            ("OIDC_CLIENT_SECRET", OIDC_RP_CLIENT_SECRET),
            ("OIDC_ALLOWED_EMAIL_DOMAINS", OIDC_ALLOWED_EMAIL_DOMAINS),
        )
        if not value
    ]
    if _oidc_missing:
        raise ImproperlyConfigured(
            f"OIDC_ENABLED is on, so {', '.join(_oidc_missing)} must be set (see the README's single sign-on "
            "section; OIDC_ALLOWED_EMAIL_DOMAINS is e.g. example.com,corp.example)"
        )
    # With password login off, NoPasswordBackend keeps ModelBackend's permissions but accepts no password.
    AUTHENTICATION_BACKENDS = [
        "tasks.auth.LoginLockoutBackend",
        "tasks.auth.PasswordBackend" if OIDC_PASSWORD_LOGIN else "tasks.oidc.NoPasswordBackend",
        "tasks.oidc.OIDCBackend",
    ]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "project-list"
LOGOUT_REDIRECT_URL = "login"

# --- Email (invitations, annotation/people/): printed to the console unless an SMTP server is configured.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)  # seconds; Django's default waits forever
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "annotation@localhost")

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 14 * 24 * 3600, minimum=60)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
# --- HTTPS: with DEBUG off, plain HTTP is redirected and browsers are told to use HTTPS only (HSTS). Turn
# the redirect off where the TLS proxy redirects itself; /healthz and /ping stay plain for health checks.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^ping$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# Proxies in front that append to X-Forwarded-For (docker-compose: nginx, 1): the client's address for the
# login lockout and the throttles is read from there instead of REMOTE_ADDR (tasks/auth.py, client_ip).
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0, minimum=0)

# --- Content-Security-Policy (django-csp): scripts and styles only from our own static files, no inline
# code, no plugins, no framing. The one hash is the <style> htmx inserts for its indicator class.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'sha256-faU7yAF8NxuMTNEwVmBz+VcYeIoBQ2EMHW3WaVxCvnk='"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# --- Login lockout (django-axes): LOGIN_FAILURE_LIMIT failed logins in a row for one username from one
# address block that pair for LOGIN_LOCKOUT_MINUTES; a success resets the count. The login page and
# POST /api/v1/auth/token both count.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tasks.auth.lockout_response"
AXES_CLIENT_IP_CALLABLE = "tasks.auth.client_ip"

# --- The cache holds sessions (read before the database: a page's session costs no query), throttle
# counts (tasks/limits.py) and login lockouts. Every process that serves must see the same cache, or a
# logout in one would leave the session alive in another's: Redis with CACHE_URL=redis://... (docker-compose
# sets it), else files under VAR_DIR/cache, which the processes of one machine share (`make run`).
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured(
        f"CACHE_URL={CACHE_URL!r} is not understood: set it to redis://host:6379/N, or leave it empty"
    )
CACHES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
        "OPTIONS": {"MAX_ENTRIES": 5000},  # past it, a third is dropped (sessions then read from the database)
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"  # written through to the database, read from the cache
# Requests per route name (per user, or per address when anonymous), for the API and the page heartbeat.
RATE_LIMITS = {
    "api-auth-token": env_rate("RATE_LIMIT_TOKEN", "10/min"),  # password guesses for a token, per address
    "api-heartbeat": env_rate("RATE_LIMIT_HEARTBEAT", "20/min"),  # a tab beats every HEARTBEAT_SECONDS
    "heartbeat": env_rate("RATE_LIMIT_HEARTBEAT", "20/min"),
    "invite-accept": env_rate("RATE_LIMIT_INVITE", "10/min"),  # sign-ups and joins through an invite, per address
}
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 500, minimum=1)  # rows of one page of any API list
API_TOKEN_MAX_AGE_DAYS = env_int("API_TOKEN_MAX_AGE_DAYS", 90, minimum=1)

# --- REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tasks.auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "tasks.limits.ApiPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_THROTTLE_CLASSES": ["tasks.limits.RouteRateThrottle"],
    "NUM_PROXIES": TRUSTED_PROXIES,  # 0: REMOTE_ADDR, never a client's X-Forwarded-For
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Code preference annotation API",
    "DESCRIPTION": "Import comparison tasks, collect judgments and export preference datasets. "
    "Authenticate with `Authorization: Token <key>` (get a key on the API token page or POST /api/v1/auth/token).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},  # no badge fetched from swagger.io
    "REDOC_DIST": "SIDECAR",
    # several serializers have a "status": name the task manager's apart (the others keep "StatusEnum")
    "ENUM_NAME_OVERRIDES": {"TaskStatusEnum": "annotation.manager.services.Status"},
}

# --- Celery: a file-system broker under var/ needs no server; production uses Redis.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_RESULT_BACKEND = env_str(
    "CELERY_RESULT_BACKEND",
    f"file://{VAR_DIR / 'celery' / 'results'}" if CELERY_BROKER_URL == "filesystem://" else CELERY_BROKER_URL,
)
CELERY_BROKER_FOLDER = VAR_DIR / "celery" / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(CELERY_BROKER_FOLDER),
        "data_folder_out": str(CELERY_BROKER_FOLDER),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),  # else kombu writes ./control
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem://")
    else {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60)}
)
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    # requeue runs of crashed workers, remove containers nobody will remove
    "sandbox-reap": {"task": "sandbox.jobs.reap", "schedule": 60.0},
    # give expired leases' tasks back to the pool
    "assignments-expire": {"task": "annotation.jobs.expire_assignments", "schedule": 60.0},
    # delete staged import uploads and old test runs' output past their retention
    "retention": {"task": "annotation.jobs.enforce_retention", "schedule": 3600.0},
    # send webhook deliveries whose next attempt is due (retries, and any whose job was lost)
    "webhooks-sweep": {"task": "annotation.webhooks.jobs.sweep", "schedule": 60.0},
}

# --- Webhooks (annotation/webhooks/): a lead's endpoints are told of events, signed, retried for a window.
# Off by default: deliveries to loopback, private, link-local and other non-public addresses are refused,
# so a lead cannot make the server call into its own network (SSRF). Tests and closed networks turn it on.
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", False)

# --- Operating it: /metrics for Prometheus (annotation/ops/metrics.py). With a token, a scraper sends
# `Authorization: Bearer <token>`; without one, only this machine may read the metrics.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
WEBHOOK_TIMEOUT_SECONDS = env_float("WEBHOOK_TIMEOUT_SECONDS", 10.0, minimum=1)  # connect, and each read
WEBHOOK_RETRY_HOURS = env_int("WEBHOOK_RETRY_HOURS", 24, minimum=1)  # after this, a failing delivery gives up

# --- Import limits
IMPORT_MAX_CODE_BYTES = env_int("IMPORT_MAX_CODE_BYTES", 64 * 1024, minimum=1)
IMPORT_MAX_PROMPT_BYTES = env_int("IMPORT_MAX_PROMPT_BYTES", 64 * 1024, minimum=1)
IMPORT_MAX_FILE_BYTES = env_int("IMPORT_MAX_FILE_BYTES", 200 * 1024 * 1024, minimum=1)
# Every other body is held to Django's default 2.5 MiB, refused unread (tasks/limits.py); only the import
# routes take up to IMPORT_MAX_FILE_BYTES, and they stream it to a file (tasks/staging.py).
LARGE_BODY_ROUTES = frozenset({"task-import", "api-task-import"})
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Retention: what the hourly "retention" job deletes
UPLOAD_RETENTION_HOURS = env_int("UPLOAD_RETENTION_HOURS", 24, minimum=1)  # checked, never confirmed uploads
RUN_RETENTION_DAYS = env_int("RUN_RETENTION_DAYS", 30, minimum=1)  # test runs' stdout/stderr and sandbox copies

# --- Sandbox: every limit of a test run (see sandbox/limits.py and DESIGN.md's sandbox rules).
SANDBOX_IMAGE = env_str("SANDBOX_IMAGE", "code-preference-sandbox:bookworm-1")
SANDBOX_TIMEOUT = env_float("SANDBOX_TIMEOUT", 20.0, minimum=1)
SANDBOX_MAX_TIMEOUT = env_float("SANDBOX_MAX_TIMEOUT", 120.0, minimum=1)
SANDBOX_MEMORY_MB = env_int("SANDBOX_MEMORY_MB", 512, minimum=32)
SANDBOX_CPUS = env_float("SANDBOX_CPUS", 1.0, minimum=0.1)
SANDBOX_PIDS = env_int("SANDBOX_PIDS", 128, minimum=8)
SANDBOX_WORK_MB = env_int("SANDBOX_WORK_MB", 32, minimum=1)
SANDBOX_TMP_MB = env_int("SANDBOX_TMP_MB", 32, minimum=1)
SANDBOX_SHM_MB = env_int("SANDBOX_SHM_MB", 16, minimum=1)
SANDBOX_OUTPUT_BYTES = env_int("SANDBOX_OUTPUT_BYTES", 64 * 1024, minimum=1024)
SANDBOX_POOL_SIZE = env_int("SANDBOX_POOL_SIZE", 1, minimum=0)  # warm containers per language per worker process
SANDBOX_IDLE_SECONDS = env_int("SANDBOX_IDLE_SECONDS", 600, minimum=10)
SANDBOX_RUNTIME = env_str("SANDBOX_RUNTIME", "")  # "runsc": gVisor (installed and registered with dockerd)
SANDBOX_CONCURRENCY = env_int("SANDBOX_CONCURRENCY", 0, minimum=0)  # runs at once per host; 0: cores / SANDBOX_CPUS
SANDBOX_QUEUE = env_str("SANDBOX_QUEUE", "")  # route test runs to workers on Docker hosts; blank: default queue

# --- The annotator's queue and time on platform
ASSIGNMENT_LEASE_MINUTES = env_int("ASSIGNMENT_LEASE_MINUTES", 30, minimum=1)
ASSIGNMENT_MAX_ACTIVE_SECONDS = env_int("ASSIGNMENT_MAX_ACTIVE_SECONDS", 2 * 3600, minimum=60)
# paid active time per annotator and day, across every project, on top of the cap per assignment
ANNOTATOR_MAX_ACTIVE_SECONDS_PER_DAY = env_int("ANNOTATOR_MAX_ACTIVE_SECONDS_PER_DAY", 10 * 3600, minimum=60)
# revisions kept per judgment: the newest drafts, plus every submission whatever their number
JUDGMENT_MAX_REVISIONS = env_int("JUDGMENT_MAX_REVISIONS", 50, minimum=1)
HEARTBEAT_SECONDS = env_int("HEARTBEAT_SECONDS", 20, minimum=5)  # how often an active page reports
GOLD_ACCURACY_THRESHOLD = env_float("GOLD_ACCURACY_THRESHOLD", 0.7, minimum=0)  # below it, an annotator is flagged
GOLD_MIN_JUDGED = env_int("GOLD_MIN_JUDGED", 3, minimum=1)  # gold judgments before the flag can be raised
HEARTBEAT_GAP_SECONDS = env_int("HEARTBEAT_GAP_SECONDS", 45, minimum=10)  # a longer silence ends an interval

# --- Tests: in CI a missing PostgreSQL, Redis, Celery worker or Docker engine fails a test instead of skipping it.
REQUIRE_REAL_SERVICES = env_bool("REQUIRE_REAL_SERVICES", False)

# Default pay rate for new projects, in the platform's currency per active hour.
DEFAULT_PAY_RATE = env_float("DEFAULT_PAY_RATE", 25.0, minimum=0)

# Production settings log one JSON object per line, with a line per request and per job
# (annotation/ops/logs.py); LOG_FORMAT=text gives plain lines, and no request lines (the server's
# access log has them), as under DEBUG.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is not understood: set it to json or text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "annotation.ops.logs.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", **({"formatter": "json"} if LOG_FORMAT == "json" else {})}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # django-axes: failed logins and lockouts (warnings) stay, its start-up banner on every command goes
        "axes": {"level": "WARNING"},
        **({} if LOG_FORMAT == "json" else {"annotation.requests": {"level": "WARNING"}}),
    },
}
