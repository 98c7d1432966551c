"""Settings shared by every environment; everything variable comes from the environment."""

from datetime import timedelta
from pathlib import Path

import django_stubs_ext
import environ
from django.utils.translation import gettext_lazy as _

# Lets classes like ModelAdmin[Municipalidad] be subscripted at run time (typing only).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "sello.apps.AdminSermigConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "django_countries",
    # Login lockout (axes) and two-factor authentication (django-otp: TOTP apps, backup codes).
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "municipios",
    "sello",
    "casos",
    "capacitaciones",
    "estadisticas",
    # After the admin's autodiscovery: registers the national admin of lockouts, tokens and
    # 2FA devices and the login signal receivers (municipios/cuenta_apps.py).
    "municipios.cuenta_apps.CuentaConfig",
]

MIDDLEWARE = [
    # Request id and access log first, so that every other middleware's records carry the id;
    # then CSP, so that SecurityMiddleware's HTTPS redirects carry it too.
    "sello.middleware.PeticionMiddleware",
    "sello.middleware.CabecerasMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "sello.fallas.FallasMiddleware",  # a view's database/disk/PDF failure: 503/507 with the id
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session lifetime, then the two-factor gate (both after messages: they
    # leave a message for the login page).
    "municipios.cuenta_sesiones.SesionMiddleware",
    "municipios.dosfactores.DosFactoresMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sello.urls"
WSGI_APPLICATION = "sello.wsgi.application"
ASGI_APPLICATION = "sello.asgi.application"

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
                "django.template.context_processors.i18n",
                "sello.context_processors.notificaciones",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# No DATABASE_URL: the embedded SQLite file. DATABASE_URL=postgres://... : PostgreSQL with
# psycopg 3's connection pool (a new connection per request costs ~6x throughput).
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
    DATABASES["default"].setdefault("OPTIONS", {})
    if env.bool("DATABASE_POOL", default=True):
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN", default=2),
            "max_size": env.int("DATABASE_POOL_MAX", default=10),
            "timeout": 10,
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # Set here, not from the URL: django-environ passes URL options as strings.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["ATOMIC_REQUESTS"] = False
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "municipios.Usuario"
# axes first: it refuses a locked-out username+IP before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "municipios.backends.UsuarioBackend"]

# ASVS 4.0.3 L2 (2.1.1): at least 12 characters; common, all-numeric and user-like refused.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Absolute lifetime of a login (enforced from the login time, not only by the cookie) and idle
# timeout: both by municipios.cuenta_sesiones.SesionMiddleware.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SELLO_SESION_INACTIVIDAD_SEGUNDOS = env.int("SELLO_SESION_INACTIVIDAD_SEGUNDOS", default=30 * 60)

# --- Login lockout (django-axes) ---------------------------------------------------------------
# 5 failures of one username from one IP address lock that pair for 15 minutes (form, admin and
# API token endpoint alike). The pair, not the username alone: otherwise anyone could lock any
# official out from anywhere by typing wrong passwords; not the IP alone: offices share NAT
# addresses. Password spraying across many usernames from one address is slowed by the API
# throttle and the 12-character policy, not by this lock (docs/operaciones.md).
AXES_FAILURE_LIMIT = env.int("SELLO_BLOQUEO_INTENTOS", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SELLO_BLOQUEO_MINUTOS", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "municipios.cuenta_sesiones.respuesta_bloqueo"  # 429, Spanish page
AXES_RESET_ON_SUCCESS = True
# The client address: X-Forwarded-For as written by SELLO_PROXIES trusted proxies, else REMOTE_ADDR.
AXES_CLIENT_IP_CALLABLE = "municipios.cuenta_sesiones.ip_cliente"
SELLO_PROXIES = env.int("SELLO_PROXIES", default=0)
# Only the lockout counters are kept (AccessAttempt, purged after the cool-off): no table of
# every login with IP and browser, which would be personal data without a retention rule.
AXES_DISABLE_ACCESS_LOG = True
# Registered for national staff only by municipios.cuenta_admin.
AXES_ENABLE_ADMIN = False

# --- Two-factor authentication (django-otp) ----------------------------------------------------
# SERMIG staff (regional, nacional, evaluador) and every admin user must enrol and verify a TOTP
# app after the password; municipal officers may. Off only in dev (sello/settings/dev.py).
SELLO_2FA_OBLIGATORIO = env.bool("SELLO_2FA_OBLIGATORIO", default=True)
SELLO_2FA_CODIGOS_RESPALDO = 10
OTP_TOTP_ISSUER = "Sello Migrante SERMIG"
# Exponential back-off after a wrong code (1, 2, 4, 8 ... s), per device.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# --- API tokens --------------------------------------------------------------------------------
# A token older than this is refused (and deleted); POST /api/v1/auth/token/ issues a new one.
SELLO_API_TOKEN_DIAS = env.int("SELLO_API_TOKEN_DIAS", default=30)

# --- Internationalisation: the UI is Spanish (Chile) -----------------------------------------
LANGUAGE_CODE = "es-cl"
LANGUAGES = [("es-cl", _("Español (Chile)"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Santiago"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ---------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads (evidence, attachments) live outside the web root and are only ever served by
# permission-checked views: there is deliberately no MEDIA_URL route.
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "sello.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "sello.api.pagination.CursorPagination",
    "DEFAULT_SCHEMA_CLASS": "sello.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "sello.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_RATES": {
        "auth_token": env("API_TOKEN_THROTTLE", default="10/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Sello Migrante API",
    "DESCRIPTION": (
        "API de la plataforma del Sello Migrante (SERMIG). Autenticación con "
        "`Authorization: Token <clave>`, obtenida en `POST /api/v1/auth/token/`. "
        'Todos los errores usan el mismo formato JSON `{"error": {...}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from the sidecar package: no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets used by several components (list, detail, timeline) get one stable name.
    "ENUM_NAME_OVERRIDES": {
        "EstadoCasoEnum": "casos.models.EstadoCaso",
        "TipoCasoEnum": "casos.models.TipoCaso",
        "LineaEnum": "sello.models.Linea",
    },
}

# --- Celery ----------------------------------------------------------------------------------
# No CELERY_BROKER_URL: tasks run eagerly in-process (the embedded default).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="sello")
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# WeasyPrint keeps some memory per document (~0.3 MiB measured by `make bench`): recycle a
# worker child past 400 MiB rather than let a run of 346 minutas grow it.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=400_000)  # KiB
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Longer than the longest task's hard time limit (the import's, 3,660 s): Redis redelivers an
# unacknowledged task after this long, and must not while it still runs.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 7200}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "sello-vigencias": {"task": "sello.vigencias_revisar", "schedule": 24 * 60 * 60},
    "sello-latido": {"task": "sello.latido", "schedule": 60, "args": ["beat"]},
    "casos-vencidos": {"task": "casos.marcar_vencidos", "schedule": 15 * 60},
    "casos-retencion": {"task": "casos.retencion_aplicar", "schedule": 24 * 60 * 60},
    "estadisticas-refrescar": {"task": "estadisticas.refrescar", "schedule": 60 * 60},
    # Daily: the minutas of the last complete semester; each job skips when nothing changed.
    "estadisticas-minutas": {"task": "estadisticas.minutas_programar", "schedule": 24 * 60 * 60},
    "estadisticas-minutas-reintentar": {"task": "estadisticas.minutas_reintentar", "schedule": 10 * 60},
    # Outbox sweeps: work whose task was lost because the broker was down when it was saved.
    "sello-notificaciones-pendientes": {"task": "sello.notificaciones_pendientes", "schedule": 5 * 60},
    "estadisticas-importaciones-pendientes": {"task": "estadisticas.importaciones_pendientes", "schedule": 30 * 60},
}
CELERY_TIMEZONE = TIME_ZONE

# --- Audit trail (django-simple-history) ----------------------------------------------------
# Reverting from the admin would bypass the services (and their checks): history is read-only.
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Logging ---------------------------------------------------------------------------------
# Every record gets the request id, user id and path (or the Celery task id) from
# sello.logs.ContextoFilter. Production writes JSON lines (prod.py). No personal data in logs:
# SQL is never logged with its parameters, whatever LOG_LEVEL says.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"contexto": {"()": "sello.logs.ContextoFilter"}},
    "formatters": {
        "plain": {"()": "sello.logs.TextoFormatter"},
        "json": {"()": "sello.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["contexto"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Lockouts and failures (usernames and addresses masked) stay; routine INFO lines go.
        "axes": {"level": "WARNING"},
    },
}
# The worker keeps the handlers above instead of installing Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Security headers (sello.middleware.CabecerasMiddleware; HSTS and cookies in prod.py) -----
# Scripts and styles only from our origin: no inline script or style, no eval (scripts may still
# set styles through the DOM, as Leaflet does).
SELLO_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SELLO_CSP_RUTAS = {
    # Swagger UI (drf-spectacular) starts itself with an inline script and styles; it shows no data.
    "/api/docs/": SELLO_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
        "style-src 'self'", "style-src 'self' 'unsafe-inline'"
    ),
    # Django's and django-simple-history's admin templates carry a few inline styles.
    "/admin/": SELLO_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
}
SELLO_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- The seal ---------------------------------------------------------------------------------
SELLO_VIGENCIA_DIAS = env.int("SELLO_VIGENCIA_DIAS", default=730)  # two years
SELLO_RECORDATORIOS_DIAS = (90, 30, 7)
# Closed cases older than this get their persona anonymised (casos.retencion_aplicar, daily).
SELLO_RETENCION_CASOS_DIAS = env.int("SELLO_RETENCION_CASOS_DIAS", default=5 * 365)
# Counts below this in sensitive categories are published as "< N" (estadisticas.supresion).
SELLO_UMBRAL_SUPRESION = env.int("SELLO_UMBRAL_SUPRESION", default=5)
SELLO_MAX_UPLOAD_BYTES = env.int("SELLO_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="sello-migrante@localhost")
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
