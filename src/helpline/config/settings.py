"""Helpline settings, read from the environment (see docs/admin.md)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from helpline.config.env import env_bool, env_int, env_list, env_str

SRC_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = Path(env_str("HELPLINE_HOME", str(Path.cwd())))
VAR_DIR = Path(env_str("HELPLINE_VAR_DIR", str(BASE_DIR / "var")))

INSECURE_SECRET_KEY = "helpline-insecure-development-key-do-not-use-in-production"  # noqa: S105
DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY", INSECURE_SECRET_KEY)
TESTING = env_bool("HELPLINE_TESTING", default=False)
DEV_MODE = env_bool("HELPLINE_DEV", default=False)
if SECRET_KEY == INSECURE_SECRET_KEY and not (DEBUG or DEV_MODE or TESTING):
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Production refuses the default key: set SECRET_KEY "
        "(or SECRET_KEY_FILE), or HELPLINE_DEV=true for a local demo."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "helpline.core",
    "helpline.accounts",
    "helpline.tickets",
    "helpline.intake",
    "helpline.dispatch",
    "helpline.sla",
    "helpline.kb",
    "helpline.notifications",
    "helpline.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "helpline.core.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "helpline.core.middleware.UserPreferencesMiddleware",
    "helpline.core.middleware.PageMessagesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "helpline.config.urls"
# Threads per server process that run HTTP requests (helpline.config.handler); 0 uses
# Django's own ASGI handler. More threads than pooled database connections only wait,
# and past ~2 per core they only add GIL hand-overs: with 4 instead of 8 the same
# 2-core machine created 7 % more tickets/s at concurrency 32 (docs/benchmarks.md).
WEB_THREADS = env_int("WEB_THREADS", 4)
ASGI_APPLICATION = "helpline.config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'helpline.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters travel apart from the SQL (server-side binding) and a statement run
    # DB_PREPARE_THRESHOLD times on a connection is prepared: PostgreSQL then skips
    # parsing and planning it. That halved the database's CPU per created ticket
    # (docs/benchmarks.md). Behind a transaction-mode pooler that cannot keep prepared
    # statements (PgBouncer before 1.21), set DB_PREPARE_THRESHOLD=0.
    DATABASES["default"]["OPTIONS"] = {
        "server_side_binding": env_bool("DB_SERVER_SIDE_BINDING", default=True),
        "prepare_threshold": env_int("DB_PREPARE_THRESHOLD", 5) or None,
    }
    if env_bool("DB_POOL", default=not TESTING):
        # Under ASGI each request runs in a new thread, so CONN_MAX_AGE keeps nothing and
        # every request would open a connection; a pool per worker process reuses them.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": env_int("DB_POOL_MIN_SIZE", 2),
            "max_size": env_int("DB_POOL_MAX_SIZE", 8),
            "timeout": 10,
        }
if env_str("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/login/"

REDIS_URL = env_str("REDIS_URL")

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASK_BACKEND = env_str("TASK_BACKEND", "rq" if REDIS_URL and env_bool("TASKS_ON_REDIS") else "db")
if TESTING and not env_str("TASK_BACKEND"):
    TASK_BACKEND = "immediate"
_TASK_BACKENDS = {
    "db": {"BACKEND": "helpline.core.task_backend.DatabaseBackend", "QUEUES": ["default", "mail"]},
    "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default", "mail"]},
    "immediate": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "mail"],
    },
    "dummy": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default", "mail"]},
}
if TASK_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASK_BACKEND must be one of {sorted(_TASK_BACKENDS)}")
TASKS = {"default": _TASK_BACKENDS[TASK_BACKEND]}
if TASK_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {name: {"URL": REDIS_URL} for name in ("default", "mail")}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [SRC_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request without it
STATICFILES_DIRS = [SRC_DIR / "static"]
# Uploaded files live outside any served directory; only a permission-checked view
# streams them.
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = None
WHITENOISE_USE_FINDERS = True

API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 25 * 1024 * 1024)
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 25 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

TICKET_AUTO_CLOSE_DAYS = env_int("TICKET_AUTO_CLOSE_DAYS", 7)
# Business hours for rule conditions ("business_hours"), in TIME_ZONE, Monday to Friday.
RULES_BUSINESS_HOURS = (
    env_int("RULES_BUSINESS_HOUR_START", 9),
    env_int("RULES_BUSINESS_HOUR_END", 18),
)
# Auto-triage sets a ticket's empty category/team when the model is at least this sure.
TRIAGE_AUTO_APPLY_CONFIDENCE = float(env_str("TRIAGE_AUTO_APPLY_CONFIDENCE", "0.8"))

# A local demo (HELPLINE_DEV) writes outgoing mail to files under var/mail to read them.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if DEV_MODE
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "helpdesk@helpline.localhost")
HELPLINE_MAIL_DOMAIN = env_str("HELPLINE_MAIL_DOMAIN", "helpline.localhost")
# Inbound e-mail (helpline.intake.email): size limit, and the per-sender loop brake.
EMAIL_MAX_MESSAGE_BYTES = env_int("EMAIL_MAX_MESSAGE_BYTES", 25 * 1024 * 1024)
EMAIL_LOOP_MAX_PER_SENDER = env_int("EMAIL_LOOP_MAX_PER_SENDER", 20)
EMAIL_LOOP_WINDOW_SECONDS = env_int("EMAIL_LOOP_WINDOW_SECONDS", 600)
HELPLINE_SITE_URL = env_str("HELPLINE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not (DEBUG or DEV_MODE or TESTING):
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
