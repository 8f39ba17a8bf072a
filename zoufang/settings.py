"""All settings, read from the environment; a bad value stops start-up with a clear message."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ZOUFANG_VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("ZOUFANG_DEBUG", "false")

SECRET_KEY = os.environ.get("ZOUFANG_SECRET_KEY", "")
if not SECRET_KEY:
    # A fresh key per machine, kept under var/, so `make run` needs no manual step and no
    # default key is ever shipped. Production sets ZOUFANG_SECRET_KEY.
    _key_file = VAR_DIR / "secret_key"
    if not _key_file.exists():
        from django.core.management.utils import get_random_secret_key

        VAR_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
        _key_file.write_text(get_random_secret_key())
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()
# Keys replaced by a rotation: sessions signed and audit rows chained under them still verify.
SECRET_KEY_FALLBACKS = envlist("ZOUFANG_SECRET_KEY_FALLBACKS", "")
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("ZOUFANG_SECRET_KEY must be at least 32 characters long")

ALLOWED_HOSTS = envlist("ZOUFANG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("ZOUFANG_CSRF_TRUSTED_ORIGINS", "")
CSRF_FAILURE_VIEW = "zoufang.web.views.csrf_failure"  # the site's 403 page, saying the form expired

INSTALLED_APPS = [
    "zoufang.accounts.superuser",  # first: its createsuperuser (in Chinese) replaces django.contrib.auth's
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "pgtrigger",
    "zoufang.core",
    "zoufang.regions",
    "zoufang.registry",
    "zoufang.campaigns",
    "zoufang.planning",
    "zoufang.workdays",
    "zoufang.visits",
    "zoufang.forms",
    "zoufang.cases",
    "zoufang.oversight",
    "zoufang.documents",
    "zoufang.callbacks",
    "zoufang.assessment",
    "zoufang.integrity",
    "zoufang.exemplars",
    "zoufang.ratings",
    "zoufang.privacy",
    "zoufang.accounts",
    "zoufang.demo",
    "zoufang.web",
    "zoufang.jobs",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "zoufang.core.head.HeadWithoutBodyMiddleware",  # first: a HEAD's body is dropped after every other step
    "zoufang.core.middleware.ForwardedSchemeFromProxiesMiddleware",  # before anything asks request.is_secure()
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "zoufang.core.middleware.NoStoreMiddleware",
    "zoufang.core.middleware.RejectUnstorableTextMiddleware",
    "zoufang.core.middleware.ApiAnswersInJsonMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "zoufang.accounts.middleware.AccountSecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "zoufang.core.middleware.PagesAnswerAMethodInChineseMiddleware",  # inside all: its page is drawn as any other
]

ROOT_URLCONF = "zoufang.urls"
WSGI_APPLICATION = "zoufang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "zoufang" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zoufang.web.context.navigation",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    try:
        _db = dj_database_url.parse(DATABASE_URL, conn_max_age=envint("ZOUFANG_DB_CONN_MAX_AGE", "60"))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
    if _db["ENGINE"] not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
        raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://) or SQLite (sqlite://)")
else:
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "zoufang.sqlite3")}
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for the lock at BEGIN instead of failing midway: without it, a file named by DATABASE_URL
    # answered "database is locked" (500) to concurrent requests that audit a read.
    _db.setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"})
_db.setdefault("TEST", {})
DATABASES = {"default": _db}
# A read replica for the dashboards (zoufang/core/dbrouter.py, docs/decisions/0007-read-replica.md): unset,
# everything reads and writes on `default`. Under the test runner it is a mirror of `default`.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    try:
        DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=_db.get("CONN_MAX_AGE", 0))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URL is not a valid database URL: {exc}") from None
    if DATABASES["replica"]["ENGINE"] != _db["ENGINE"]:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must point at the same kind of database as DATABASE_URL")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["zoufang.core.dbrouter.ReplicaRouter"]
# A few hot statements of a fixed shape (a unit page's case figures, a submission's reads, its inserts and kept
# counts) are server-side prepared statements on PostgreSQL (core.rawrows, docs/decisions/0013-prepared-hot-reads.md);
# false sends them as ordinary statements, for a connection pooler that does not carry protocol-level prepared
# statements (PgBouncer before 1.21, or max_prepared_statements = 0).
ZOUFANG_DB_PREPARED_READS = envbool("ZOUFANG_DB_PREPARED_READS", "true")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "zoufang.accounts.duties.PasswordBackend",  # passwords only: permissions come from roles (decision 0043)
    "zoufang.accounts.duties.DutiesBackend",
]
# Passwords (等保 身份鉴别): 8+ characters of three of four classes, not one of the last five, expiring.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "zoufang.accounts.passwords.CharacterClassesValidator", "OPTIONS": {"minimum": 3}},
    {"NAME": "zoufang.accounts.passwords.PasswordHistoryValidator", "OPTIONS": {"remember": 5}},
]
ZOUFANG_PASSWORD_MAX_AGE_DAYS = envint("ZOUFANG_PASSWORD_MAX_AGE_DAYS", "90")  # 0: never expires
# Residents' personal data kept this many years after the last campaign that needs it ends (个人信息保护法 第十九条);
# the worker erases what is past it only when ZOUFANG_PERSONAL_DATA_EXPIRE is on (privacy/retention.py).
ZOUFANG_PERSONAL_DATA_YEARS = envint("ZOUFANG_PERSONAL_DATA_YEARS", "3")
if ZOUFANG_PERSONAL_DATA_YEARS < 1:
    raise ImproperlyConfigured("ZOUFANG_PERSONAL_DATA_YEARS must be 1 or more")
ZOUFANG_PERSONAL_DATA_EXPIRE = envbool("ZOUFANG_PERSONAL_DATA_EXPIRE", "false")
# Sessions: signed out after this long idle, and after this long in all (API refresh tokens too).
ZOUFANG_SESSION_IDLE_MINUTES = envint("ZOUFANG_SESSION_IDLE_MINUTES", "30")
ZOUFANG_SESSION_ABSOLUTE_HOURS = envint("ZOUFANG_SESSION_ABSOLUTE_HOURS", "12")
ZOUFANG_API_TOKEN_MINUTES = envint("ZOUFANG_API_TOKEN_MINUTES", "30")
SESSION_COOKIE_AGE = ZOUFANG_SESSION_ABSOLUTE_HOURS * 3600
OTP_TOTP_ISSUER = "走访平台"
# Lockout: per account (AXES_FAILURE_LIMIT) and per source address over all accounts; attempts made
# during a lockout do not extend it. Behind a reverse proxy, list its addresses in ZOUFANG_TRUSTED_PROXIES.
AXES_FAILURE_LIMIT = envint("ZOUFANG_LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("ZOUFANG_LOGIN_COOLOFF_MINUTES", "15") / 60
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_HANDLER = "zoufang.accounts.lockout.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "zoufang.accounts.lockout.client_address"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
ZOUFANG_LOGIN_ADDRESS_FAILURE_LIMIT = envint("ZOUFANG_LOGIN_ADDRESS_FAILURE_LIMIT", "20")
ZOUFANG_LOGIN_RATE = os.environ.get("ZOUFANG_LOGIN_RATE", "30/m")
ZOUFANG_TRUSTED_PROXIES = envlist("ZOUFANG_TRUSTED_PROXIES", "")
RATELIMIT_ENABLE = AXES_ENABLED = envbool("ZOUFANG_AXES_ENABLED", "true")
# axes.W006 asks for ip_address among the lockout parameters: LockoutHandler counts per address itself,
# with its own limit, so that one user's success cannot reset a whole office's address.
# models.W040: SQLite has no covering indexes; the 全覆盖 indexes' INCLUDE (id) is for PostgreSQL's index-only
# counts (registry.Target, docs/oversight.md) and is simply left out on SQLite, where `make run` would print the warning.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "models.W040"]
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_LOCKOUT_CALLABLE = "zoufang.accounts.lockout.lockout_response"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("ZOUFANG_SECURE_COOKIES", "false")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Served over HTTPS (secure cookies on): redirect plain HTTP and tell browsers to keep to HTTPS.
SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = 31_536_000 if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SESSION_COOKIE_SECURE
SECURE_HSTS_PRELOAD = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if ZOUFANG_TRUSTED_PROXIES else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script anywhere, no third-party origin; inline style attributes only (bar widths).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
LOCALE_PATHS = [BASE_DIR / "zoufang" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Libraries installed from npm at set-up (`make static`): served as /static/vendor/…, when present.
STATICFILES_DIRS = [("vendor", VAR_DIR / "vendor")] if (VAR_DIR / "vendor").is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_PERMISSIONS = 0o600  # visit photos: the service's own user only
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Backups (`zoufang backup`) are AES-256-GCM with this key; kept apart from the backups themselves.
BACKUP_KEY = os.environ.get("ZOUFANG_BACKUP_KEY", "").strip()
if BACKUP_KEY:
    import base64
    import binascii

    try:
        _backup_key_bytes = len(base64.urlsafe_b64decode(BACKUP_KEY.encode()))
    except (ValueError, binascii.Error):
        _backup_key_bytes = 0
    if _backup_key_bytes != 32:
        raise ImproperlyConfigured("ZOUFANG_BACKUP_KEY must be 32 bytes in URL-safe base64 (zoufang backup --new-key)")

# Residents' ID and phone numbers are encrypted in the database (zoufang/core/crypto.py) under
# ZOUFANG_DATA_KEYS (`id:key,id:key`, the first encrypts, all decrypt) and found through an HMAC under
# ZOUFANG_INDEX_KEY. Unset (a laptop, tests), both are generated once into var/data_keys (0600);
# production sets both and keeps them apart from the database and its backups.
DATA_KEYS = os.environ.get("ZOUFANG_DATA_KEYS", "").strip()
INDEX_KEY = os.environ.get("ZOUFANG_INDEX_KEY", "").strip()
DATA_KEYS_FROM_FILE = not (DATA_KEYS and INDEX_KEY)
if DATA_KEYS_FROM_FILE:
    if DATA_KEYS or INDEX_KEY:
        raise ImproperlyConfigured("Set both ZOUFANG_DATA_KEYS and ZOUFANG_INDEX_KEY, or neither")
    from zoufang.core.keys import local_keys

    DATA_KEYS, INDEX_KEY = local_keys(VAR_DIR / "data_keys")
from zoufang.core.keys import check_keys  # noqa: E402 - a bad key stops start-up here

check_keys(DATA_KEYS, INDEX_KEY)

# The day zoufang takes as "today". Empty in production (the real date); the demo pins a
# day inside the 2017 campaign so pace and deadline views show a campaign in progress.
ZOUFANG_TODAY = os.environ.get("ZOUFANG_TODAY", "")
ZOUFANG_DEMO_PASSWORD = os.environ.get("ZOUFANG_DEMO_PASSWORD", "zoufang-demo")
ZOUFANG_PAGE_SIZE = envint("ZOUFANG_PAGE_SIZE", "50")
# Audit rows are kept at least this long (网络安全法 第二十一条: six months); the database refuses younger deletes.
ZOUFANG_AUDIT_RETENTION_DAYS = envint("ZOUFANG_AUDIT_RETENTION_DAYS", "180")
if ZOUFANG_AUDIT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured("ZOUFANG_AUDIT_RETENTION_DAYS must be at least 180 (six months)")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ZOUFANG_LOG_LEVEL", "INFO")},
}

# cases: reminders from `zoufang cases tick` go out by email (Django's EMAIL_BACKEND, console by
# default) and by SMS through a pluggable backend: a class with send(phone, text), named by dotted path.
EMAIL_BACKEND = os.environ.get("ZOUFANG_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("ZOUFANG_FROM_EMAIL", "zoufang@localhost")
ZOUFANG_SMS_BACKEND = os.environ.get("ZOUFANG_SMS_BACKEND", "zoufang.cases.sms.ConsoleSmsBackend")
ZOUFANG_SMS_FILE = Path(os.environ.get("ZOUFANG_SMS_FILE", str(VAR_DIR / "sms.log")))
EMAIL_HOST = os.environ.get("ZOUFANG_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("ZOUFANG_EMAIL_PORT", "25")
EMAIL_HOST_USER = os.environ.get("ZOUFANG_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("ZOUFANG_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = envbool("ZOUFANG_EMAIL_TLS", "false")

# Background work (docs/jobs.md): Django's Tasks API (the django-tasks backport on 5.2). The embedded default
# keeps the queue in the database (django-tasks-db; `zoufang db_worker` runs it, `make run` starts one);
# ZOUFANG_TASKS_BACKEND=rq puts it on Redis (django-tasks-rq; `zoufang rqworker --with-scheduler`) for
# several task workers; `immediate` runs each task inside the request (development only).
ZOUFANG_TASKS_BACKEND = os.environ.get("ZOUFANG_TASKS_BACKEND", "db")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
_TASK_BACKENDS = {"db": "django_tasks_db.DatabaseBackend", "rq": "django_tasks_rq.RQBackend",
                  "immediate": "django_tasks.backends.immediate.ImmediateBackend"}
if ZOUFANG_TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"ZOUFANG_TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[ZOUFANG_TASKS_BACKEND], "QUEUES": ["default"]}}
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": envint("ZOUFANG_JOBS_TIMEOUT", "3600")}}
if ZOUFANG_TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
# The cache holds the per-address login rate (django-ratelimit): with REDIS_URL set it is Redis, one count over
# every web worker and host; otherwise each process keeps its own (a single `make run` on a laptop).
if os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": os.environ.get("ZOUFANG_CACHE_PREFIX", "zoufang")}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Downloads built in the background: kept here, for this many days, then deleted by the worker.
ZOUFANG_DOWNLOADS_DIR = Path(os.environ.get("ZOUFANG_DOWNLOADS_DIR", str(VAR_DIR / "downloads")))
ZOUFANG_DOWNLOADS_KEEP_DAYS = envint("ZOUFANG_DOWNLOADS_KEEP_DAYS", "7")
# A running job that has not reported progress for this long is taken as interrupted (its worker died).
ZOUFANG_JOBS_STALE_MINUTES = envint("ZOUFANG_JOBS_STALE_MINUTES", "15")
# How often the worker runs the periodic work (`cases tick`, expiring downloads).
ZOUFANG_PERIODIC_MINUTES = envint("ZOUFANG_PERIODIC_MINUTES", "60")
