"""Project middleware: the request id and access log, and the security headers Django lacks."""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotFound
from django.utils.log import log_response
from django.utils.translation import gettext as _

from .logs import abrir_peticion, request_id_valido, usuario_id

logger = logging.getLogger("sello.peticiones")

Respuesta = Callable[[HttpRequest], HttpResponseBase]


class PeticionMiddleware:
    """Gives every request an id (the client's ``X-Request-ID`` when well formed), returns it
    in the response header of the same name, makes it part of every record logged while the
    request runs, and logs one access line: method, path (never the query string, which can
    carry a searched name or document), status and duration.

    First in MIDDLEWARE, so that redirects and errors of the others are covered too."""

    def __init__(self, get_response: Respuesta) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = request_id_valido(request.headers.get("X-Request-ID"))
        inicio = time.perf_counter()
        with abrir_peticion(request, request_id):
            response = ruta_inexistente(request) or self.get_response(request)
            response["X-Request-ID"] = request_id
            if response.status_code >= 400 and isinstance(response, HttpResponse):
                # Django logs "Not Found: /path" and the like after the last middleware returns,
                # outside this context; logged here (the same call) it carries the request id,
                # and Django sees it was logged already.
                log_response("%s: %s", response.reason_phrase, request.path, response=response, request=request)
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - inicio) * 1000, 1),
                    "user_id": usuario_id(request),
                },
            )
        return response


def ruta_inexistente(request: HttpRequest) -> HttpResponseBase | None:
    """A path with a NUL character (``%00``) names nothing on this site, and PostgreSQL refuses
    the character in a text lookup (a 500 from every ``<str:...>`` route, the admin's object
    ids and the API's lookups): it is a 404 before any view runs."""
    if "\x00" in request.path_info:
        response = HttpResponseNotFound(_("No encontrado."), content_type="text/plain; charset=utf-8")
        response["X-Content-Type-Options"] = "nosniff"
        return response
    return None


class CabecerasMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response (Django 5.2 has no CSP).

    The policy is ``SELLO_CSP``, or the one of the longest ``SELLO_CSP_RUTAS`` prefix of the
    path; a view that sets its own (the evidence downloads: ``default-src 'none'``) keeps it.
    HSTS, nosniff, Referrer-Policy and X-Frame-Options come from Django's SecurityMiddleware and
    XFrameOptionsMiddleware."""

    def __init__(self, get_response: Respuesta) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = politica(request.path)
        if settings.SELLO_PERMISSIONS_POLICY and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = settings.SELLO_PERMISSIONS_POLICY
        return response


def politica(path: str) -> str:
    """The CSP of ``path``: that of its longest prefix in SELLO_CSP_RUTAS, else SELLO_CSP."""
    prefijos = [prefijo for prefijo in settings.SELLO_CSP_RUTAS if path.startswith(prefijo)]
    if prefijos:
        politica_ruta: str = settings.SELLO_CSP_RUTAS[max(prefijos, key=len)]
        return politica_ruta
    politica_base: str = settings.SELLO_CSP
    return politica_base
