"""Kota Pintar settings, driven by environment variables (12-factor).

Variables: DATABASE_URL, CELERY_BROKER_URL (or REDIS_URL), MQTT_URL, SECRET_KEY, ALLOWED_HOSTS, DEBUG,
KOTAPINTAR_DATA_DIR, EMAIL_HOST/EMAIL_PORT/EMAIL_HOST_USER/EMAIL_HOST_PASSWORD/EMAIL_USE_TLS,
DEFAULT_FROM_EMAIL, SECURE_SSL_REDIRECT, KOTAPINTAR_PRODUCTION. Per-city settings (payment gateways, complaint
limits, map tiles) are the modules' settings, kept in the database.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from kotapintar.core.modules import discover


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("KOTAPINTAR_DATA_DIR", Path.home() / ".local/share/kotapintar")).resolve()
PRODUCTION = env_bool("KOTAPINTAR_PRODUCTION")

DEBUG = env_bool("DEBUG", default=False)
_secret = os.environ.get("SECRET_KEY")
if not _secret:
    if PRODUCTION:
        raise RuntimeError("SECRET_KEY must be set in production (KOTAPINTAR_PRODUCTION=1).")
    _secret = "insecure-development-key-change-me-for-production-use-only-0123456789"
SECRET_KEY = _secret
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")

INSTALLED_APPS = [
    "kotapintar.core.apps.PlatformAdminConfig",  # django.contrib.admin behind the platform login
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    # Modules: every installed package's `kotapintar.modules` entry points (core's own modules included).
    *discover(),
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kotapintar.core.middleware.CustomDomainMiddleware",
    "kotapintar.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kotapintar.core.twofactor.TwoFactorMiddleware",  # django-otp's, refusing half-signed-in sessions
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kotapintar.core.middleware.CityModuleMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kotapintar.config.urls"
WSGI_APPLICATION = "kotapintar.config.wsgi.application"
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:landing"
LOGOUT_REDIRECT_URL = "core:landing"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kotapintar.core.context_processors.platform",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'kotapintar.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Uploaded documents live outside any public root and are served only through a checking view.
DOCUMENTS_ROOT = DATA_DIR / "documents"
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Sessions, security
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Login throttling (django-axes): 5 failures per account and address lock for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False

# E-mail
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Kota Pintar <noreply@kotapintar.local>")

# Cache: Redis when configured (shared by web nodes), else local memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "kotapintar.core.cache.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
}

# Celery: a broker makes tasks run on workers; without one they run in-process (eager).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL or ""
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TIMEZONE = "UTC"
# Celery beat's schedule comes from the modules' manifests (`periodic`, see kotapintar/config/celery.py).

MQTT_URL = os.environ.get("MQTT_URL", "")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "kotapintar.core.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "600/min", "login": "10/min"},
    "EXCEPTION_HANDLER": "kotapintar.core.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kota Pintar API",
    "DESCRIPTION": "Multi-city smart-city platform: cities, modules, officials, audit log and the modules' APIs.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

KOTAPINTAR_UPLOAD_MAX_BYTES = int(os.environ.get("KOTAPINTAR_UPLOAD_MAX_BYTES", str(5 * 1024 * 1024)))
KOTAPINTAR_PUBLIC_URL = os.environ.get("KOTAPINTAR_PUBLIC_URL", "http://127.0.0.1:8000")
# The platform's own host names, which no city may claim as its custom domain (default: ALLOWED_HOSTS;
# set it when ALLOWED_HOSTS also lists cities' verified domains). Domain verification fetches
# http://<domain>:<port>/.well-known/kotapintar-domain-verification.txt.
KOTAPINTAR_PLATFORM_HOSTS = env_list("KOTAPINTAR_PLATFORM_HOSTS") or ALLOWED_HOSTS
KOTAPINTAR_DOMAIN_CHECK_PORT = int(os.environ.get("KOTAPINTAR_DOMAIN_CHECK_PORT", "80"))
# Payment gateways and their secrets are per city (the permits module's settings). The simulated bank
# of the demo and of training works only outside production, whatever KOTAPINTAR_DEMO_BANK says; its
# secret is random per installation (DATA_DIR/demo-bank-secret, made on first use) and per city.
KOTAPINTAR_DEMO_BANK = env_bool("KOTAPINTAR_DEMO_BANK", default=not PRODUCTION)
# Open311 reports without photos go to a queue that a Celery worker files in batches (the client gets a
# token and reads the tracking number from tokens/{token}); only when tasks run on workers (a broker).
KOTAPINTAR_OPEN311_QUEUE = env_bool("KOTAPINTAR_OPEN311_QUEUE", True)
# Complaint rate limits: KOTAPINTAR_COMPLAINT_LIMITS="person=5/600,address=30/3600,api_key=100000/3600"
# (reports per number of seconds, per person, network address and Open311 api_key; see
# kotapintar/complaints/services/limits.py for the defaults): the default of every city, which a city
# can change in the complaints module's settings.
KOTAPINTAR_COMPLAINT_LIMITS = {
    scope: tuple(int(n) for n in value.split("/", 1))
    for scope, value in (item.split("=", 1) for item in env_list("KOTAPINTAR_COMPLAINT_LIMITS"))
}
# Reverse proxies in front of the web processes that append the client's address to X-Forwarded-For
# (1 behind one nginx); rate limits per address use it (kotapintar.core.http.client_ip).
KOTAPINTAR_TRUSTED_PROXIES = int(os.environ.get("KOTAPINTAR_TRUSTED_PROXIES", "0"))
# Map background tiles and their attribution: the default of every city, which a city can change in the
# core module's settings. Empty: maps show the city's outline and kecamatan on a plain background
# (works offline).
KOTAPINTAR_MAP_TILES = os.environ.get("KOTAPINTAR_MAP_TILES", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
KOTAPINTAR_MAP_ATTRIBUTION = os.environ.get("KOTAPINTAR_MAP_ATTRIBUTION", "© OpenStreetMap contributors")
