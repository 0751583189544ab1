"""Settings for Placebook: one file, every machine-specific value from the environment.

Every variable read here is listed, with a safe local value, in ``dotenv-sample``.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def _load_dotenv(path: Path) -> None:
    """Read KEY=VALUE lines from .env without overriding the real environment."""
    if not path.exists():
        return
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip().strip("'\""))


_load_dotenv(BASE_DIR / ".env")


def _require(name: str, hint: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable: {hint}")
    return value


DEBUG = os.environ.get("DEBUG") == "1"
SECRET_KEY = _require(
    "SECRET_KEY",
    "copy dotenv-sample to .env for local use, or generate one with "
    "`python -c 'import secrets; print(secrets.token_urlsafe(50))'` in production.",
)
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
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
    "django_tasks_db",
    "placebook.core",
    "placebook.indicators",
    "placebook.market",
    "placebook.purchasing",
    "placebook.contracts",
    "placebook.community",
    "placebook.scrutiny",
    "placebook.api",
    "placebook.web",
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
    "placebook.core.middleware.CurrentActorMiddleware",
]

ROOT_URLCONF = "placebook.urls"
WSGI_APPLICATION = "placebook.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "placebook.web.context_processors.service_navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:sign-in"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# govuk-frontend is installed from the npm registry (package-lock.json) and served from here.
STATICFILES_DIRS = [BASE_DIR / "node_modules" / "govuk-frontend" / "dist"]
# Found through the finders at request time, so tests and `runserver` need no collectstatic.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["placebook.api.permissions.ReadPublicWriteOfficer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "placebook.api.errors.json_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Placebook API",
    "DESCRIPTION": (
        "Commissioning for adult social care and public health at Place. "
        "Reads are open for published data; writes need an officer role."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Django's tasks framework runs imports and pack builds in the background. The default queue
# lives in the database (django-tasks-db), so it survives restarts and needs no other service;
# `manage.py db_worker` works through it. Tests run tasks at once, in-process.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.backend.DatabaseBackend"),
    }
}

# Built dashboard tables are cached under a key that changes with the data they show
# (placebook.indicators.dashboards.data_version), so a cache per process is never stale; the
# timeout only bounds memory held for versions nobody asks for any more.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 500},
    }
}
DASHBOARD_CACHE_SECONDS = int(os.environ.get("DASHBOARD_CACHE_SECONDS", "900"))

# Largest indicator file an officer may upload on the import page. Django reads the whole
# upload before the check, so set the web server's own limit (e.g. nginx
# client_max_body_size) a little above this.
INDICATOR_IMPORT_MAX_BYTES = int(os.environ.get("INDICATOR_IMPORT_MAX_BYTES", 50 * 1024 * 1024))

# Prefix of our OCDS ocids; real publishers register a prefix with the OCDS Data Support Team.
OCDS_PREFIX = os.environ.get("OCDS_PREFIX", "ocds-placebook-sefton")
