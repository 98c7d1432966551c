"""Production settings plus the bench's URLconf, for the load test (``bench.carga``).

gunicorn serves the app exactly as ``sello.settings.prod`` does (DEBUG off, WhiteNoise's
manifest storage, the security middleware and its HTTPS redirect, the connection pool) and,
beside it, the bare floor view of ``bench.urls``. Only two things differ, neither on the
request path: the collected static files go to ``var/bench-static`` and uploads to
``var/bench-media``, so a bench run never touches the deployment's directories. Like
production, it refuses to start without ``DJANGO_SECRET_KEY`` and ``DJANGO_ALLOWED_HOSTS``.
"""

from sello.settings.prod import *  # noqa: F403
from sello.settings.prod import BASE_DIR, env

ROOT_URLCONF = "bench.urls"
STATIC_ROOT = BASE_DIR / "var" / "bench-static"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "var" / "bench-media"))
