"""What the platform does when a dependency fails: the database, the broker, the disk.

* **Database unavailable** (connection refused, pool exhausted, connection lost mid-request):
  ``FallasMiddleware`` (for a view) and ``sello.errors.handler500`` (for a middleware) answer
  503 with ``Retry-After`` and the request id as the error id — a page rendered without any
  query, or the API's JSON error envelope under /api/. Services write inside
  ``transaction.atomic``, so the failed request left nothing half-written.
* **Disk full** (or any other failure writing a file): ``guardar_en_almacenamiento`` removes
  what was partially written and raises ``SinEspacio``, a business error with a Spanish message
  that the forms and the API already show. Anything else that runs out of space while serving a
  request (e.g. Django spooling a large upload to a temporary file) gets a 507 page.
* **Broker unavailable**: ``encolar`` publishes a task and, when the broker refuses, logs a
  warning with the task name and its ids and returns; the request that committed the data
  succeeds, and a periodic sweep (notifications, minutas, imports) queues the work again.
"""

import errno
import logging
from collections.abc import Callable
from typing import Any

import psycopg
from celery import Task
from django.core.files import File
from django.db import InterfaceError, OperationalError
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .errores import ErrorDeNegocio
from .logs import request_id_actual
from .pdf import RenderAgotado

logger = logging.getLogger(__name__)

# django.db wraps psycopg's errors (a pool timeout is a psycopg OperationalError); the raw
# ones are listed too, for code that talks to psycopg directly.
BASE_NO_DISPONIBLE: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)
# What publishing a task raises when the broker is down (kombu wraps most of them).
BROKER_NO_DISPONIBLE: tuple[type[Exception], ...] = (
    BrokerError,
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    TimeoutError,
)
REINTENTAR_EN_SEGUNDOS = 30


class SinEspacio(ErrorDeNegocio):
    """A file could not be stored (disk full or failing). Nothing was written."""

    codigo = "storage_unavailable"


# --- Request failures ---------------------------------------------------------------------
def _pagina(request: HttpRequest, *, status: int, titulo: str, mensaje: str, codigo: str) -> HttpResponse:
    error_id = request_id_actual() or ""
    if request.path.startswith("/api/"):
        respuesta: HttpResponse = JsonResponse(
            {"error": {"code": codigo, "message": mensaje, "request_id": error_id}}, status=status
        )
    else:
        # No request in the context: no context processor runs, so nothing queries the
        # database that just failed.
        html = loader.get_template("503.html").render({"titulo": titulo, "mensaje": mensaje, "error_id": error_id})
        respuesta = HttpResponse(html, status=status)
    respuesta["Retry-After"] = str(REINTENTAR_EN_SEGUNDOS)
    respuesta["Cache-Control"] = "no-store"
    return respuesta


def respuesta_de_falla(request: HttpRequest, exc: BaseException) -> HttpResponse | None:
    """The 503 (database or PDF render) or 507 (disk) answer to ``exc``, or None when it is
    not a dependency failure. Logged with the request id (carried by every record) and the
    exception's type only: a database error's message can quote the row it refused."""
    if isinstance(exc, BASE_NO_DISPONIBLE):
        logger.error("Base de datos no disponible durante la petición (%s)", type(exc).__name__)
        return _pagina(
            request,
            status=503,
            titulo=_("Servicio no disponible"),
            mensaje=_(
                "La base de datos no está disponible en este momento. No se guardó nada a medias: "
                "intente nuevamente en unos minutos."
            ),
            codigo="service_unavailable",
        )
    if isinstance(exc, RenderAgotado):
        logger.error("Generación de PDF agotó su tiempo máximo")
        return _pagina(
            request,
            status=503,
            titulo=_("Documento no disponible"),
            mensaje=_("El documento tardó demasiado en generarse. Intente nuevamente en unos minutos."),
            codigo="render_timeout",
        )
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        logger.error("Sin espacio en disco durante la petición")
        return _pagina(
            request,
            status=507,
            titulo=_("Sin espacio de almacenamiento"),
            mensaje=_(
                "No hay espacio para guardar archivos en este momento; no se guardó nada. Intente nuevamente más tarde."
            ),
            codigo="insufficient_storage",
        )
    return None


class FallasMiddleware:
    """Turns a view's database, PDF-render or disk failure into a 503/507 answer with the
    request id (see ``respuesta_de_falla``); any other exception goes on to Django's 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return respuesta_de_falla(request, exception)


# --- Broker failures ------------------------------------------------------------------------
def encolar(tarea: Task, *args: int | str) -> bool:
    """``tarea.delay(*args)``, except that a broker that is down is logged (the task name and
    its ids: never personal data) instead of raised. Meant for ``transaction.on_commit``: the
    data is committed by then, and the periodic sweeps queue the work again. Returns whether
    the task was published."""
    try:
        tarea.delay(*args)
    except BROKER_NO_DISPONIBLE as exc:
        logger.warning(
            "Broker no disponible: %s%s no se encoló (%s); la reintentará el barrido periódico",
            tarea.name,
            list(args),
            type(exc).__name__,
        )
        return False
    return True


# --- Disk failures --------------------------------------------------------------------------
def guardar_en_almacenamiento(campo: FieldFile, nombre: str, contenido: File[Any]) -> None:
    """``campo.save(nombre, contenido, save=False)`` that leaves nothing behind when the
    write fails (disk full, I/O error): the partly written file is removed and ``SinEspacio``
    raised with a Spanish message, so the caller's transaction rolls back and no row points
    at a missing or truncated file.

    The final name is chosen first (``get_available_name``) so that the partial file is known;
    the storage writes it with O_EXCL, so the file removed is always the one this call created."""
    storage = campo.storage
    destino = storage.get_available_name(
        campo.field.generate_filename(campo.instance, nombre), max_length=campo.field.max_length
    )
    try:
        campo.name = storage.save(destino, contenido, max_length=campo.field.max_length)
    except OSError as exc:
        if storage.exists(destino):
            storage.delete(destino)
        logger.error("No se pudo guardar un archivo (%s, errno %s)", type(exc).__name__, exc.errno)
        raise SinEspacio(
            _(
                "No se pudo guardar el archivo: el almacenamiento está lleno o no disponible. "
                "No se guardó nada; intente nuevamente más tarde."
            )
        ) from exc
    setattr(campo.instance, campo.field.attname, campo.name)
    campo._committed = True  # type: ignore[attr-defined]  # as FieldFile.save() does
