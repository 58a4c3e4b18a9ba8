"""CareBridge settings: one module, driven by environment variables (see .env.example)."""

import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    """A setting from NAME, or from the file named by NAME_FILE (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return default if raw in (None, "") else int(raw)


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# An empty CAREBRIDGE_HOME counts as unset: it must never turn the working directory into
# the data directory.
CAREBRIDGE_HOME = Path(env_str("CAREBRIDGE_HOME") or str(BASE_DIR / "var")).resolve()
CAREBRIDGE_HOME.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The key comes from SECRET_KEY, or is generated once and kept in the data directory."""
    configured = env_str("SECRET_KEY")
    if configured:
        return configured
    key_file = CAREBRIDGE_HOME / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "carebridge.core.admin_site.OperatorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "carebridge.core",
    "carebridge.accounts",
    "carebridge.audit",
    "carebridge.directory",
    "carebridge.patients",
    "carebridge.notifications",
    "carebridge.scheduling",
    "carebridge.noshow",
    "carebridge.fhir_api",
    "carebridge.web",
    "carebridge.portal",
    "carebridge.jobs",
    "carebridge.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early, so that redirects answered by later middleware carry X-Frame-Options too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "carebridge.core.middleware.RequestContextMiddleware",
    "carebridge.core.middleware.BrowserSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "carebridge.core.middleware.BrowserCsrfViewMiddleware",
    "carebridge.core.middleware.BrowserAuthenticationMiddleware",
    "carebridge.accounts.middleware.StaffLoginRequiredMiddleware",
    "carebridge.core.middleware.BrowserMessageMiddleware",
]

ROOT_URLCONF = "carebridge.urls"
WSGI_APPLICATION = "carebridge.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["carebridge.accounts.backends.RoleBackend"]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

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
            ],
        },
    },
]


PREPARE_AFTER_RUNS = 5


def _databases() -> dict:
    url = env_str("DATABASE_URL")
    if not url:
        url = f"sqlite:///{CAREBRIDGE_HOME / 'carebridge.sqlite3'}"
    # Connections are kept for a minute: opening one per request costs PostgreSQL a process
    # and a few milliseconds, more than a booking's queries.
    config = dj_database_url.parse(
        url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE: a write transaction takes the write lock at BEGIN, so two bookings queue
        # behind each other instead of failing with "database is locked" on lock upgrade.
        # A commit that finds the write-ahead log longer than wal_autocheckpoint pages copies
        # it into the database file. Web processes leave that to the task worker, which
        # checkpoints at 1,000 pages (core.processes), and only do it themselves past
        # SQLITE_WEB_CHECKPOINT_PAGES, where no worker runs: while 40,000 reminders went
        # out, a booking's commit p95 fell from 4.3 to 1.0 ms this way.
        checkpoint_pages = env_int("SQLITE_WEB_CHECKPOINT_PAGES", 10000)
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            f"PRAGMA wal_autocheckpoint={checkpoint_pages};",
        }
        # A file, not shared memory, so that races in tests lock like production does; one per
        # process, so that concurrent test runs never share it.
        test_file = Path(tempfile.gettempdir()) / f"carebridge-test-{os.getpid()}.sqlite3"
        config["TEST"] = {"NAME": str(test_file)}
    else:
        # Parameters bound by the server let psycopg prepare a statement once it has run a
        # few times on a connection: PostgreSQL skips the planning, and the web process the
        # quoting of every value into the SQL. With a booking's statements written out,
        # booking through the API measured 5-10 % faster this way. DB_PREPARED_STATEMENTS=false
        # binds on the client instead, e.g. behind a pooler that cannot keep prepared
        # statements.
        prepared = env_bool("DB_PREPARED_STATEMENTS", True)
        # Django's backend with a health check of kept connections only after a rest.
        config["ENGINE"] = "carebridge.core.backends.postgresql"
        config["OPTIONS"] = {
            "server_side_binding": prepared,
            "prepare_threshold": PREPARE_AFTER_RUNS if prepared else None,
        }
    return {"default": config}


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Idle sessions end after SESSION_IDLE_MINUTES: the cookie age restarts on every request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 15) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A refused form answers in the words of whoever sent it: patient or staff.
CSRF_FAILURE_VIEW = "carebridge.portal.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = CAREBRIDGE_HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise serves from finders, but expects the root to exist
MEDIA_ROOT = CAREBRIDGE_HOME / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BYTES", 2 * 1024 * 1024)

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

CAREBRIDGE_DEMO = env_bool("CAREBRIDGE_DEMO", True)
# How far the task worker steps back when the web server needs the CPU (Unix niceness).
WORKER_NICENESS = env_int("WORKER_NICENESS", 10)
# On Linux, the task worker also runs only on CPU time nothing else wants (the idle
# scheduling class). Turn off on a machine whose web processes keep every core busy for
# long stretches: there the worker would wait for them to quieten down.
WORKER_IDLE_SCHEDULING = env_bool("WORKER_IDLE_SCHEDULING", True)
# Messages a delivery worker hands to the gateways at once, each over its own connection.
DELIVERY_CONCURRENCY = env_int("DELIVERY_CONCURRENCY", 4)
if DELIVERY_CONCURRENCY < 1:
    raise ValueError(f"DELIVERY_CONCURRENCY must be at least 1, not {DELIVERY_CONCURRENCY}")

# Links in messages to patients (confirm, cancel, reschedule) start with this address.
PUBLIC_BASE_URL = env_str(
    "PUBLIC_BASE_URL",
    f"http://{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '8000'}",
).rstrip("/")

# Email: Django's own settings. Without EMAIL_HOST, messages are written as files.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "CareBridge <no-reply@localhost>")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = CAREBRIDGE_HOME / "outbox" / "email"

# Text messages: `file` writes them under CAREBRIDGE_HOME (development, demo); `twilio`
# posts them to a Twilio-style REST API.
SMS_GATEWAY = env_str("SMS_GATEWAY", "file")
SMS_FILE_PATH = CAREBRIDGE_HOME / "outbox" / "sms"
SMS_API_BASE = env_str("SMS_API_BASE", "https://api.twilio.com").rstrip("/")
SMS_ACCOUNT_SID = env_str("SMS_ACCOUNT_SID")
SMS_AUTH_TOKEN = env_str("SMS_AUTH_TOKEN")
SMS_FROM = env_str("SMS_FROM")
SMS_TIMEOUT = env_int("SMS_TIMEOUT", 15)
if SMS_GATEWAY not in {"file", "twilio"}:
    raise ValueError(f"SMS_GATEWAY must be file or twilio, not {SMS_GATEWAY!r}")
