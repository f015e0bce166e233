"""The one settings module: every knob comes from the environment (see the README's table).

Defaults are for a developer's machine (SQLite and a file-system broker under var/); production sets
DEBUG=0, SECRET_KEY, DATABASE_URL and CELERY_BROKER_URL.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from annotation.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite, the file broker and exports write here: a fresh clone has none

DEBUG = env_bool("DEBUG", True)
_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "DEBUG is off, so SECRET_KEY must be set to a random string of at least 32 characters "
        "(e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
    )
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
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
    _db["CONN_MAX_AGE"] = 0
    # A file, not memory, so that a Celery worker started by a test sees the test database; one per
    # test process, so two runs side by side (or a run beside `make run`) never share one.
    _db["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
    _db["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "tasks.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "project-list"
LOGOUT_REDIRECT_URL = "login"

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

# --- REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Code preference annotation API",
    "DESCRIPTION": "Import comparison tasks, collect judgments and export preference datasets. "
    "Authenticate with `Authorization: Token <key>` (get a key on the API token page or POST /api/v1/auth/token).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
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
}

# --- Import limits
IMPORT_MAX_CODE_BYTES = env_int("IMPORT_MAX_CODE_BYTES", 64 * 1024, minimum=1)
IMPORT_MAX_PROMPT_BYTES = env_int("IMPORT_MAX_PROMPT_BYTES", 64 * 1024, minimum=1)
IMPORT_MAX_FILE_BYTES = env_int("IMPORT_MAX_FILE_BYTES", 200 * 1024 * 1024, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_FILE_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

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
HEARTBEAT_SECONDS = env_int("HEARTBEAT_SECONDS", 20, minimum=5)  # how often an active page reports
GOLD_ACCURACY_THRESHOLD = env_float("GOLD_ACCURACY_THRESHOLD", 0.7, minimum=0)  # below it, an annotator is flagged
GOLD_MIN_JUDGED = env_int("GOLD_MIN_JUDGED", 3, minimum=1)  # gold judgments before the flag can be raised
HEARTBEAT_GAP_SECONDS = env_int("HEARTBEAT_GAP_SECONDS", 45, minimum=10)  # a longer silence ends an interval

# --- Tests: in CI a missing PostgreSQL, Redis, Celery worker or Docker engine fails a test instead of skipping it.
REQUIRE_REAL_SERVICES = env_bool("REQUIRE_REAL_SERVICES", False)

# Default pay rate for new projects, in the platform's currency per active hour.
DEFAULT_PAY_RATE = env_float("DEFAULT_PAY_RATE", 25.0, minimum=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
