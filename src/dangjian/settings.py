"""Settings for dangjian: one module, configured from the environment.

Development needs nothing: SQLite under var/, a field key generated once into
var/field.key. Production (DANGJIAN_PRODUCTION=1) takes everything from the environment
and refuses to start without it.
"""

import base64
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("DANGJIAN_VAR_DIR", PROJECT_DIR / "var"))

PRODUCTION = os.environ.get("DANGJIAN_PRODUCTION") == "1"


def _env(name, default=None):
    value = os.environ.get(name)
    if value:
        return value
    if PRODUCTION and default is None:
        raise ImproperlyConfigured(f"{name} must be set when DANGJIAN_PRODUCTION=1")
    return default


def _dev_secret(filename, make):
    """A secret kept in var/ for development, generated on first use."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / filename
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def _new_field_key():
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _field_key_ok(text):
    try:
        return len(base64.urlsafe_b64decode(text.encode() + b"=" * (-len(text) % 4))) == 32
    except ValueError:
        return False


if PRODUCTION:
    SECRET_KEY = _env("DANGJIAN_SECRET_KEY")
    FIELD_KEY = _env("DANGJIAN_FIELD_KEY")
    AUDIT_KEY = _env("DANGJIAN_AUDIT_KEY")
    ALLOWED_HOSTS = [h.strip() for h in _env("DANGJIAN_ALLOWED_HOSTS").split(",") if h.strip()]
    DEBUG = False
    _env("DATABASE_URL")
    _env("REDIS_URL")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured("DANGJIAN_SECRET_KEY must be at least 50 random characters")
    if not _field_key_ok(FIELD_KEY):
        raise ImproperlyConfigured("DANGJIAN_FIELD_KEY must be 32 random bytes in URL-safe base64")
    if len(AUDIT_KEY) < 32:
        raise ImproperlyConfigured("DANGJIAN_AUDIT_KEY must be at least 32 random characters")
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured("DANGJIAN_ALLOWED_HOSTS must name the site's host names (no '*')")
else:
    SECRET_KEY = _env("DANGJIAN_SECRET_KEY") or _dev_secret("secret.key", lambda: secrets.token_urlsafe(50))
    FIELD_KEY = _env("DANGJIAN_FIELD_KEY") or _dev_secret("field.key", _new_field_key)
    AUDIT_KEY = _env("DANGJIAN_AUDIT_KEY") or _dev_secret("audit.key", lambda: secrets.token_urlsafe(32))
    ALLOWED_HOSTS = [h.strip() for h in os.environ.get("DANGJIAN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")]
    DEBUG = os.environ.get("DANGJIAN_DEBUG", "0") == "1"

# Older field keys, comma separated, still accepted for reading during key rotation.
FIELD_KEYS_OLD = [k for k in os.environ.get("DANGJIAN_FIELD_KEYS_OLD", "").split(",") if k]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "treebeard",
    "django_tasks",
    "dangjian.core",
    "dangjian.accounts",
    "dangjian.orgs",
    "dangjian.lists",
    "dangjian.duties",
    "dangjian.responsibilities",
    "dangjian.resident_requests",
    "dangjian.open311",
    "dangjian.cobuilding",
    "dangjian.community_service",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "dangjian.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "dangjian.accounts.middleware.SessionSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "dangjian.urls"
WSGI_APPLICATION = "dangjian.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'dangjian.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# Parallel test runs (several developers or CI jobs on one server) pick their own test DB.
if os.environ.get("DANGJIAN_TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["DANGJIAN_TEST_DB_NAME"]}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, as in production: concurrent writers then wait for each other (timeout
    # above) as they do there, where an in-memory shared-cache database refuses them.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
# The scope tests run again on a test DB copied from a template with another collation
# (scripts/test.sh: ICU zh-Hans-CN), to prove subtree queries do not depend on it.
if os.environ.get("DANGJIAN_TEST_DB_TEMPLATE"):
    DATABASES["default"].setdefault("TEST", {})["TEMPLATE"] = os.environ["DANGJIAN_TEST_DB_TEMPLATE"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "dangjian.accounts.validators.CharacterClassValidator"},
    {"NAME": "dangjian.accounts.validators.PasswordHistoryValidator", "OPTIONS": {"count": 5}},
]
AUTHENTICATION_BACKENDS = ["dangjian.accounts.backends.LockoutBackend"]

# Login security (issue 4; docs/security.md).
DANGJIAN_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("DANGJIAN_PASSWORD_MAX_AGE_DAYS", 90))
DANGJIAN_LOCKOUT_ATTEMPTS = 5
DANGJIAN_LOCKOUT_MINUTES = 30
DANGJIAN_LOGIN_RATE_PER_MINUTE = int(os.environ.get("DANGJIAN_LOGIN_RATE_PER_MINUTE", 10))
DANGJIAN_IDLE_TIMEOUT_MINUTES = 30
DANGJIAN_ADMIN_IDLE_TIMEOUT_MINUTES = 15
DANGJIAN_SESSION_MAX_HOURS = 8
# Second factor for administrators and holders of sensitive rights: on in production,
# off by default in development and tests so the demo logs in with a password alone.
DANGJIAN_REQUIRE_2FA = os.environ.get("DANGJIAN_REQUIRE_2FA", "1" if PRODUCTION else "0") == "1"
# Proxies whose X-Forwarded-For we believe when counting attempts per address.
DANGJIAN_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("DANGJIAN_TRUSTED_PROXIES", "127.0.0.1,::1").split(",") if p.strip()
]
DANGJIAN_AUDIT_RETENTION_DAYS = int(os.environ.get("DANGJIAN_AUDIT_RETENTION_DAYS", 180))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", "简体中文"),
    ("zh-hant", "繁體中文"),
    ("en", "English"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DANGJIAN_MEDIA_ROOT", VAR_DIR / "media"))

# Uploads: imports are read in memory up to this size, then refused.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DANGJIAN_IMPORT_MAX_BYTES = int(os.environ.get("DANGJIAN_IMPORT_MAX_BYTES", 10 * 1024 * 1024))
# xlsx exports of more rows than this are built by a background task (an ExportJob), with a
# progress page and a download for their owner; csv always streams from the request.
DANGJIAN_EXPORT_INLINE_ROWS = int(os.environ.get("DANGJIAN_EXPORT_INLINE_ROWS", 20_000))
# Finished export files (private: never under MEDIA_ROOT), kept this many hours.
DANGJIAN_EXPORT_DIR = Path(os.environ.get("DANGJIAN_EXPORT_DIR", VAR_DIR / "exports"))
DANGJIAN_EXPORT_KEEP_HOURS = int(os.environ.get("DANGJIAN_EXPORT_KEEP_HOURS", 24))
DANGJIAN_IMPORT_MAX_ROWS = int(os.environ.get("DANGJIAN_IMPORT_MAX_ROWS", 200_000))
# Exports or full-value views above this many rows need a stated reason.
DANGJIAN_BULK_THRESHOLD = int(os.environ.get("DANGJIAN_BULK_THRESHOLD", 1000))
# 1: bulk access also needs a security administrator's approval (accounts.bulk).
DANGJIAN_BULK_APPROVAL = os.environ.get("DANGJIAN_BULK_APPROVAL", "0") == "1"
# Sheets up to this much XML are read whole by calamine (fast); larger ones stream (openpyxl).
DANGJIAN_IMPORT_FAST_READ_BYTES = int(os.environ.get("DANGJIAN_IMPORT_FAST_READ_BYTES", 48 * 1024 * 1024))
# A member import of at least this many rows that at least doubles the member table (a
# city's registry brought in once) is written in PostgreSQL's bulk-load way: foreign keys
# and GIN indexes made again at the end; members cannot be read until it ends.
DANGJIAN_IMPORT_BULK_LOAD_ROWS = int(os.environ.get("DANGJIAN_IMPORT_BULK_LOAD_ROWS", 100_000))

SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background work through the django-tasks API (Django 6's django.tasks): immediate in
# development and tests, RQ on Redis in production.
if PRODUCTION and REDIS_URL:
    INSTALLED_APPS += ["django_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "dangjian.accounts.authentication.TokenAuthentication",
        "dangjian.accounts.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["dangjian.core.api.filters.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "dangjian.core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "dangjian.core.api.schema.ScopedAutoSchema",
    "EXCEPTION_HANDLER": "dangjian.core.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    # Per account (token or session) and per address for anonymous calls; 429 with Retry-After beyond.
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("DANGJIAN_API_RATE_ANON", "60/min"),
                               "user": os.environ.get("DANGJIAN_API_RATE_USER", "6000/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "dangjian API",
    "DESCRIPTION": _("Grassroots Party-building platform API. Every list is scoped to the caller's subtree."),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets that several modules' serializers share (a unit's and a member's report
    # to a community go through the same states).
    "ENUM_NAME_OVERRIDES": {
        "ReportStatusEnum": "dangjian.cobuilding.models.ReportStatus",
        "RatingEnum": "dangjian.cobuilding.models.Rating",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "dangjian.core.middleware.RequestIdLogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("DANGJIAN_LOG_LEVEL", "WARNING")},
}
