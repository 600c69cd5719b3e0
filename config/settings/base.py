"""Settings shared by every environment, read from the process environment.

Defaults are production-safe: DEBUG is off, cookies are secure and only the local
host names are allowed unless the environment says otherwise.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("MAILLAGE_VAR_DIR", BASE_DIR / "var"))
SHARED_DIR = Path(os.environ.get("MAILLAGE_SHARED_DIR", BASE_DIR.parent / "shared"))
# Official Table Schema of the lieux de médiation numérique, read (never copied) to validate
# imported CSV files; the check is skipped when the file is absent.
LIEUX_SCHEMA_PATH = Path(
    os.environ.get(
        "MAILLAGE_LIEUX_SCHEMA",
        SHARED_DIR / "data" / "lamednum-standard-mediation-num" / "schema.json",
    )
)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def secret_key_kept(path: Path) -> str:
    """The key kept in `path`, created on first use. Several processes starting at once (the
    workers of one server) must end with the same key: the file is written whole under
    another name, then linked into place, which fails for all but the first process."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    draft.write_text(secrets.token_urlsafe(50))
    draft.chmod(0o600)
    try:
        os.link(draft, path)
    except FileExistsError:
        pass  # another process was first: its key wins
    except OSError:  # a file system without hard links: last writer wins, still whole
        if not path.exists():
            os.replace(draft, path)
    finally:
        draft.unlink(missing_ok=True)
    return path.read_text().strip()


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept under var/.

    Every app server of a deployment must share the same key: set SECRET_KEY there.
    """
    if key := os.environ.get("SECRET_KEY"):
        return key
    return secret_key_kept(VAR_DIR / "secret_key")


DEBUG = env_bool("MAILLAGE_DEBUG", False)
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "dsfr",
    "widget_tweaks",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # the API documentation page from local static files (no CDN: the CSP forbids it)
    "maillage.core",
    "maillage.accounts",
    "maillage.territories",
    "maillage.directory",
    "maillage.orientation",
    "maillage.referrals",
    "maillage.observatory",
    "maillage.espace",
    "maillage.site",
]

MIDDLEWARE = [
    # Outermost: one log line per request (client, method, redacted path, status, duration),
    # then the CSP and Permissions-Policy headers, on every response.
    "maillage.core.logs.RequestLogMiddleware",
    "maillage.core.headers.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Under /api/ every error is JSON, whoever produced it (Django's 404, a 500…).
    "maillage.api.errors.JsonErrorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "maillage.core.throttle.ThrottleMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "maillage" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "maillage.core.context_processors.maillage",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'maillage.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while a worker or an import writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# ModelBackend plus the lock after repeated failures (maillage/accounts/lockout.py).
AUTHENTICATION_BACKENDS = ["maillage.accounts.backends.LockoutModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "site:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [
    BASE_DIR / "maillage" / "static",
    # Leaflet from its PyPI package (XStatic), served by us: no CDN at run time.
    ("leaflet", xstatic.pkg.leaflet.BASE_DIR),
    ("leaflet-markercluster", xstatic.pkg.leaflet_markercluster.BASE_DIR),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "maillage.core.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
# `maillage backup` / `restore` on PostgreSQL: the folder of pg_dump and pg_restore when they
# are not on the PATH (maillage/core/backups.py also looks in /usr/lib/postgresql/*/bin).
MAILLAGE_PG_BIN = os.environ.get("MAILLAGE_PG_BIN", "")

# Cookies and transport: secure unless DEBUG is explicitly asked for.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Client address behind proxies (maillage/core/clients.py): the number of proxies of ours in
# front of the app servers, or their networks (`10.0.0.0/8,fd00::/8`); X-Forwarded-For is read
# from the right through those hops only. BEHIND_TLS_PROXY alone means one proxy.
MAILLAGE_TRUSTED_PROXIES = os.environ.get("MAILLAGE_TRUSTED_PROXIES") or (
    "1" if BEHIND_TLS_PROXY else "0"
)

# Background tasks: the database queue by default, Redis/RQ when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "maillage",
        }
    }
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "maillage",
        }
    }

# Logs (maillage/core/logs.py): every line carries the client's address (client_ip), secret
# path segments are cut out and e-mail addresses and phone numbers masked in any record.
# Django's own handlers are replaced so nothing reaches the output unfiltered.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "maillage.core.logs.RequestContextFilter"},
        "redact": {"()": "maillage.core.logs.RedactingFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(client)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["context", "redact"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # runserver's own request lines print raw URLs: maillage.requests logs requests.
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}
# Paths whose segments are secrets (private follow links…): each regular expression's groups
# are replaced by « … » in the request log and in every log record. Apps add their own.
MAILLAGE_LOG_SECRET_PATHS = [
    r"/mise-en-relation/suivi/([^/?#\s\"']+)",
]

# Maps: tiles are optional decoration, contours are drawn from our own data.
MAILLAGE_TILE_URL = os.environ.get(
    "MAILLAGE_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
MAILLAGE_TILE_ATTRIBUTION = os.environ.get(
    "MAILLAGE_TILE_ATTRIBUTION", "© contributeurs OpenStreetMap"
)
MAILLAGE_SITE_NAME = "Maillage"

# E-mail: an SMTP server in production (EMAIL_HOST). Without one, development prints mail on
# the console; production settings send nothing and `check --deploy` fails, unless
# MAILLAGE_MAIL_DISABLED=1 says the instance runs without mail on purpose (config/settings/prod.py).
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Maillage <ne-pas-repondre@maillage.local>"
)
MAILLAGE_MAIL_DISABLED = env_bool("MAILLAGE_MAIL_DISABLED", False)
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
elif MAILLAGE_MAIL_DISABLED:
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# "Signaler une erreur": anti-spam and retention of the reporter's address.
MAILLAGE_SIGNALEMENT_RETENTION_DAYS = int(
    os.environ.get("MAILLAGE_SIGNALEMENT_RETENTION_DAYS", "90")
)
MAILLAGE_SIGNALEMENT_PER_HOUR = int(os.environ.get("MAILLAGE_SIGNALEMENT_PER_HOUR", "5"))
MAILLAGE_SIGNALEMENT_MIN_SECONDS = int(os.environ.get("MAILLAGE_SIGNALEMENT_MIN_SECONDS", "3"))

# Mise en relation (docs/referrals.md): retention of the personal data, reminders, anti-spam.
MAILLAGE_REFERRAL_RETENTION_DAYS = int(os.environ.get("MAILLAGE_REFERRAL_RETENTION_DAYS", "365"))
# A referral never closed is purged this many days after the retention period, from creation.
MAILLAGE_REFERRAL_GRACE_DAYS = int(os.environ.get("MAILLAGE_REFERRAL_GRACE_DAYS", "90"))
MAILLAGE_REFERRAL_REMINDER_HOURS = int(os.environ.get("MAILLAGE_REFERRAL_REMINDER_HOURS", "72"))
MAILLAGE_REFERRAL_REMINDER_MAX = int(os.environ.get("MAILLAGE_REFERRAL_REMINDER_MAX", "2"))
MAILLAGE_REFERRAL_PER_HOUR = int(os.environ.get("MAILLAGE_REFERRAL_PER_HOUR", "10"))
MAILLAGE_REFERRAL_MIN_SECONDS = int(os.environ.get("MAILLAGE_REFERRAL_MIN_SECONDS", "3"))
# A referral form's one-time key is signed by the site and good for this many hours.
MAILLAGE_REFERRAL_FORM_HOURS = int(os.environ.get("MAILLAGE_REFERRAL_FORM_HOURS", "48"))
# Links in e-mails sent outside a request (reminders): the public address of the site.
MAILLAGE_BASE_URL = os.environ.get("MAILLAGE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Raised when the consent text changes: each referral records the version the person saw.
MAILLAGE_REFERRAL_CONSENT_VERSION = "2026-11"
# k of the k-anonymity of the statistics: smaller cells are shown as « moins de k ».
MAILLAGE_REFERRAL_STATS_K = 5

# Back-office uploads: the file waits in the database for the worker.
MAILLAGE_IMPORT_MAX_BYTES = int(os.environ.get("MAILLAGE_IMPORT_MAX_BYTES", str(20_000_000)))
# A run "en cours" without any progress for this long lost its worker: shown "interrompu".
MAILLAGE_IMPORT_STALE_MINUTES = int(os.environ.get("MAILLAGE_IMPORT_STALE_MINUTES", "30"))

# Observatory: estimated road distance = great-circle distance × this detour factor
# (docs/observatoire.md). Coverage radii of the indicators, in km.
OBSERVATORY_ROAD_FACTOR = float(os.environ.get("MAILLAGE_ROAD_FACTOR", "1.3"))
OBSERVATORY_RADII_KM = (5, 10, 20)
# Demand indicators `demande:<categorie>`: orientation requests over the last N closed calendar
# months, per commune, published only from OBSERVATORY_DEMAND_MIN requests (k-anonymity).
OBSERVATORY_DEMAND_MONTHS = int(os.environ.get("MAILLAGE_DEMAND_MONTHS", "12"))
OBSERVATORY_DEMAND_MIN = 5
# A recompute still "en cours" after this many seconds is taken for crashed (its lock freed).
OBSERVATORY_RECOMPUTE_STALE_S = int(os.environ.get("MAILLAGE_RECOMPUTE_STALE_S", "1800"))
# Snapshots of the computed indicators kept: every one of the last N days, then the last one
# of each calendar month (each snapshot of France is about 900,000 values).
OBSERVATORY_SNAPSHOT_DAYS = int(os.environ.get("MAILLAGE_SNAPSHOT_DAYS", "7"))

# Per-client throttles (maillage/core/throttle.py, docs/deployment.md): COUNT/PERIOD per scope,
# `off` to switch one off; MAILLAGE_THROTTLE_<SCOPE> in the environment overrides a default.
THROTTLE_DEFAULTS = {
    "api": "300/min",  # every API call
    "api_write": "30/min",  # API calls that compute or write (POST, PUT, PATCH, DELETE)
    "orientation": "30/min",  # results and fiche of the guided orientation journey
    "referral": "10/min",  # posts of the mise en relation form
    "signalement": "10/min",  # posts of « signaler une erreur »
    "login": "20/min",  # posts of the login forms (the site's and the admin's)
    "password_reset": "5/h",  # posts of a password reset form
}
MAILLAGE_THROTTLE_RATES = {
    scope: os.environ.get(f"MAILLAGE_THROTTLE_{scope.upper()}", rate)
    for scope, rate in THROTTLE_DEFAULTS.items()
}
# The cache holding the counters: Redis when REDIS_URL is set, so every app server sees them.
MAILLAGE_THROTTLE_CACHE = "default"
# Pages and forms throttled by ThrottleMiddleware: URL name → "scope [METHODS]".
MAILLAGE_THROTTLED_VIEWS = {
    "orientation:resultats": "orientation",
    "orientation:fiche": "orientation",
    "referrals:create": "referral POST",
    "directory:signalement_create": "signalement POST",
    "accounts:login": "login POST",
    "admin:login": "login POST",
    "accounts:password_reset": "password_reset POST",
}
# Login lock (maillage/accounts/lockout.py): after this many failures within the window, the
# account (whatever the address) or the address (whatever the account) is locked for a while.
MAILLAGE_LOGIN_FAILURES_PER_ACCOUNT = int(
    os.environ.get("MAILLAGE_LOGIN_FAILURES_PER_ACCOUNT", "5")
)
MAILLAGE_LOGIN_FAILURES_PER_ADDRESS = int(
    os.environ.get("MAILLAGE_LOGIN_FAILURES_PER_ADDRESS", "20")
)
MAILLAGE_LOGIN_FAILURE_WINDOW_S = int(os.environ.get("MAILLAGE_LOGIN_FAILURE_WINDOW_S", "900"))
MAILLAGE_LOGIN_LOCK_S = int(os.environ.get("MAILLAGE_LOGIN_LOCK_S", "900"))

# Content-Security-Policy and Permissions-Policy of every response (maillage/core/headers.py):
# scripts, styles, fonts and images from the site itself, images from the tile server too.
# An optional address receiving the browsers' violation reports:
MAILLAGE_CSP_REPORT_URI = os.environ.get("MAILLAGE_CSP_REPORT_URI", "")
