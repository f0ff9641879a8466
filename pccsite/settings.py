"""Settings for Delivery Quarterly, read from environment variables (see README, "Configuration").

With nothing set the app runs for a newcomer: SQLite, Celery tasks run in-process. Production sets
DEBUG off, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis).
"""

from pathlib import Path

from csp.constants import NONE, SELF

from pccsite.environment import (
    ConfigurationError,
    check_broker_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    parse_database_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-only-for-debug" if DEBUG else None)
if not DEBUG and SECRET_KEY.startswith("insecure-"):
    raise ConfigurationError("SECRET_KEY must be a real secret when DEBUG is off")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_NAME = env_str("SITE_NAME", "Delivery Quarterly")
# Where the public writes to the OPCC (the accessibility statement and privacy notice give it).
CONTACT_EMAIL = env_str("CONTACT_EMAIL", "")
if CONTACT_EMAIL and "@" not in CONTACT_EMAIL:
    raise ConfigurationError(f"CONTACT_EMAIL must be an e-mail address, not {CONTACT_EMAIL[:60]!r}")
# Where the site is served, for the links in e-mails (which have no request to take it from).
SITE_URL = env_str("SITE_URL", "http://localhost:8000")
if not SITE_URL.startswith(("http://", "https://")) or SITE_URL.endswith("/"):
    raise ConfigurationError(
        "SITE_URL must start with http:// or https:// and have no trailing slash, "
        f"not {SITE_URL[:60]!r}"
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django_tables2",
    "csp",
    "axes",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "pccsite",
    "organisations",
    "jobs",
    "measures",
    "reports",
    "delivery",
    "surveys",
    "demo",
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
    "csp.middleware.CSPMiddleware",
    "pccsite.audit.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pccsite.urls"
WSGI_APPLICATION = "pccsite.wsgi.application"

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
                "pccsite.context_processors.site",
            ],
        },
    },
]
# One renderer draws every Django form in GOV.UK markup (templates/forms/).
FORM_RENDERER = "pccsite.forms.GovukFormRenderer"
DJANGO_TABLES2_TEMPLATE = "django_tables2/govuk.html"

_database = parse_database_url(
    "DATABASE_URL", env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
)
DATABASES = {
    "default": {
        "ENGINE": _database.engine,
        "NAME": _database.name,
        "USER": _database.user,
        "PASSWORD": _database.password,
        "HOST": _database.host,
        "PORT": _database.port,
    }
}
USING_POSTGRES = _database.engine.endswith("postgresql")
if USING_POSTGRES:
    # psycopg 3's pool, managed by Django. A short timeout makes requests fail fast while the
    # database is away, instead of piling up. Each connection is checked as it leaves the pool (one
    # round trip; Django passes psycopg_pool's check when CONN_HEALTH_CHECKS is on), so after a
    # database restart no request is given a connection that died with it.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["OPTIONS"] = {
        "pool": {
            "min_size": env_int("DATABASE_POOL_MIN", 1),
            "max_size": env_int("DATABASE_POOL_MAX", 10, minimum=1),
            "timeout": env_int("DATABASE_POOL_TIMEOUT", 5, minimum=1),
        },
        **dict(_database.options),
    }
else:
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT failures for one user name from one
# address, that pair is locked out for the cool-off time. The message never says whether the
# user exists.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("SIGN_IN_LOCKOUT_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
LOGIN_URL = "sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files in production; plain names in development and the tests
        # (the test live server serves static files from their sources).
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("STATIC_MANIFEST", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"

# Imports of figures, the framework and survey results (measures/spreadsheets.py): the most an
# uploaded file may be, hold, and unpack to, so that a hostile or broken file is refused quickly.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 50 * 1024 * 1024, minimum=1)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 500_000, minimum=1)
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 500 * 1024 * 1024, minimum=1)

# Celery. Without a broker, tasks run in-process (the newcomer's default).
_broker = env_str("CELERY_BROKER_URL", "")
CELERY_BROKER_URL = check_broker_url("CELERY_BROKER_URL", _broker) if _broker else "memory://"
CELERY_TASK_ALWAYS_EAGER = not _broker
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 3,
    "socket_connect_timeout": 3,
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1),
    "max_retries": 1,
}
CELERY_TASK_PUBLISH_RETRY = False
# A full recalculation is sent as this many independent jobs, so that the worker's processes
# share it (`celery worker --concurrency`); `manage.py recalculate --processes` does the same.
RECALCULATION_SHARES = env_int("RECALCULATION_SHARES", 2, minimum=1)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "requeue-stale-jobs": {"task": "jobs.requeue_stale_jobs", "schedule": 60.0},
    "sweep-recalculations": {"task": "measures.sweep_recalculations", "schedule": 60.0},
    # Reminders, overdue marks and their e-mails; each is recorded, so hourly runs send once.
    "delivery-deadlines": {"task": "delivery.enforce_deadlines", "schedule": 3600.0},
}

# E-mail: console in development; SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Delivery Quarterly <no-reply@localhost>")

# Security. Behind a proxy that terminates TLS, set SECURE_PROXY_SSL_HEADER=1 so Django trusts
# its X-Forwarded-Proto header (only do so if the proxy always sets or strips it).
SECURE = not DEBUG and env_bool("SECURE", True)
SECURE_SSL_REDIRECT = SECURE
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Content Security Policy: nothing inline, everything from this origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Demo data (make run / load_demo) signs users in with this password.
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "demo")
