"""Session lifetime: an idle timeout and an absolute lifetime counted from the login, the client
address the login lockout counts, and closing a user's other sessions.

Django's ``SESSION_COOKIE_AGE`` alone is a *sliding* expiry: every write of the session pushes
the server-side expiry forward. The login time kept in the session makes it absolute.
"""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.models import Session
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

# Session keys (seconds since the epoch).
INICIO = "sello_sesion_inicio"
ACTIVIDAD = "sello_sesion_actividad"
# The last-activity mark is rewritten at most once a minute: a session write costs a query, and
# the idle timeout does not need a finer grain.
ACTIVIDAD_RESOLUCION_SEGUNDOS = 60


def ip_cliente(request: Any) -> str | None:
    """The client's address for the login lockout (``AXES_CLIENT_IP_CALLABLE``).

    Behind ``SELLO_PROXIES`` trusted proxies, each appending the address it received the request
    from to ``X-Forwarded-For``, the client is the entry written by the outermost one; entries to
    its left were sent by the client and are ignored (they can be forged). Without proxies, the
    TCP peer (``REMOTE_ADDR``).
    """
    meta = request.META
    proxies = settings.SELLO_PROXIES
    if proxies > 0:
        cadena = [p.strip() for p in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(cadena) >= proxies:
            return cadena[-proxies]
    remote: str | None = meta.get("REMOTE_ADDR")
    return remote


def minutos_bloqueo() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def respuesta_bloqueo(request: HttpRequest, original: Any = None, credentials: Any = None) -> HttpResponse:
    """The lockout page (``AXES_LOCKOUT_CALLABLE``): 429, in Spanish, with how long it lasts."""
    contexto = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutos": minutos_bloqueo()}
    respuesta = render(request, "registration/bloqueado.html", contexto, status=429)
    respuesta["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return respuesta


@receiver(user_logged_in, dispatch_uid="sello_sesion_marcar_inicio")
def marcar_inicio(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Stamp a new login with its start time (the absolute lifetime counts from here)."""
    if request is None or not hasattr(request, "session"):
        return
    ahora = int(time.time())
    request.session[INICIO] = ahora
    request.session[ACTIVIDAD] = ahora


class SesionMiddleware:
    """Logs out a session idle for ``SELLO_SESION_INACTIVIDAD_SEGUNDOS`` or older than
    ``SESSION_COOKIE_AGE`` since its login; the request then goes on as anonymous (a private page
    redirects to the login form, which shows why)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if SESSION_KEY in request.session:
            self.revisar(request)
        return self.get_response(request)

    def revisar(self, request: HttpRequest) -> None:
        ahora = int(time.time())
        sesion = request.session
        inicio, actividad = sesion.get(INICIO), sesion.get(ACTIVIDAD)
        if inicio is None or actividad is None:
            # A session from before these marks existed: it starts counting now.
            sesion[INICIO] = inicio or ahora
            sesion[ACTIVIDAD] = ahora
            return
        if ahora - inicio >= settings.SESSION_COOKIE_AGE:
            motivo = _("Su sesión duró el máximo permitido y se cerró. Inicie sesión nuevamente.")
        elif ahora - actividad >= settings.SELLO_SESION_INACTIVIDAD_SEGUNDOS:
            motivo = _("Su sesión se cerró por inactividad. Inicie sesión nuevamente.")
        else:
            if ahora - actividad >= ACTIVIDAD_RESOLUCION_SEGUNDOS:
                sesion[ACTIVIDAD] = ahora
            return
        logout(request)
        messages.info(request, motivo)


def sesiones_cerrar(*, usuario: Any) -> int:
    """End every open session of ``usuario`` (their 2FA was reset).

    (A password change needs no such sweep: Django ties each session to a hash of the password,
    so the others stop working by themselves.)

    Sessions live in the database (Django's default engine) and only their decoded data names
    the user, so each unexpired one is decoded; fine for the few thousand users of the platform.
    Returns how many were ended.
    """
    cerradas = 0
    for sesion in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(sesion.get_decoded().get(SESSION_KEY)) == str(usuario.pk):
            sesion.delete()
            cerradas += 1
    return cerradas
