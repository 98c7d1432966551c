"""Structured logs: the request (or Celery task) context of every record, and a JSON formatter.

``sello.middleware.PeticionMiddleware`` opens a context per request (``abrir_peticion``); the
``ContextoFilter`` copies it into every record logged while the request runs, whatever the
logger; ``JsonFormatter`` writes one JSON object per line. Personal data never goes into a log:
a record carries the user's id only, the path without its query string, and an exception's type
and stack without its message (a database error message can quote the row it refused).
"""

import json
import logging
import re
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from celery import current_task
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

# A UUID (with or without hyphens) or a hex id of 16 to 64 digits, as proxies and clients send.
_REQUEST_ID_VALIDO = re.compile(r"[0-9a-fA-F]{16,64}|[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
# Fields a record may carry besides the standard ones (``extra=``); anything else is dropped.
CAMPOS = ("request_id", "user_id", "path", "method", "status", "duration_ms", "task_id")


@dataclass(frozen=True)
class Peticion:
    request_id: str
    request: HttpRequest


_peticion: ContextVar[Peticion | None] = ContextVar("sello_peticion", default=None)


def request_id_valido(valor: str | None) -> str:
    """The client's ``X-Request-ID`` when it is well formed, else a new one (UUID4, hex)."""
    if valor and _REQUEST_ID_VALIDO.fullmatch(valor):
        return valor
    return uuid.uuid4().hex


@contextmanager
def abrir_peticion(request: HttpRequest, request_id: str) -> Iterator[Peticion]:
    """Make ``request`` the current one for the records logged inside the block."""
    peticion = Peticion(request_id=request_id, request=request)
    token = _peticion.set(peticion)
    try:
        yield peticion
    finally:
        _peticion.reset(token)


def request_id_actual() -> str | None:
    """The id of the request being served in this context (for error pages), or None."""
    peticion = _peticion.get()
    return peticion.request_id if peticion else None


def usuario_id(request: HttpRequest) -> int | None:
    """The id of the request's user if something already loaded it, else None.

    Never loads it: that would run a session query from inside a log call (and log it)."""
    usuario = request.__dict__.get("user")
    if type(usuario) is SimpleLazyObject:
        # AuthenticationMiddleware's lazy user keeps what it loaded in _cached_user.
        usuario = request.__dict__.get("_cached_user")
    if usuario is None or not getattr(usuario, "is_authenticated", False):
        return None
    pk: int | None = usuario.pk
    return pk


def _task_id() -> str | None:
    tarea = current_task
    if not tarea:
        return None
    request = getattr(tarea, "request", None)
    task_id: str | None = getattr(request, "id", None)
    return task_id


class ContextoFilter(logging.Filter):
    """Adds request_id, user_id and path (inside a request) and task_id (inside a Celery task)
    to every record; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        peticion = _peticion.get()
        if peticion is not None:
            if not hasattr(record, "request_id"):
                record.request_id = peticion.request_id
            if not hasattr(record, "path"):
                record.path = peticion.request.path
            if getattr(record, "user_id", None) is None:
                record.user_id = usuario_id(peticion.request)
        if not hasattr(record, "task_id"):
            task_id = _task_id()
            if task_id:
                record.task_id = task_id
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp (UTC, ISO 8601), level, logger, message, the context
    fields present (``CAMPOS``), and for an exception its type and stack, not its message."""

    def format(self, record: logging.LogRecord) -> str:
        linea: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for campo in CAMPOS:
            valor = getattr(record, campo, None)
            if valor is not None:
                linea[campo] = valor
        if record.exc_info and record.exc_info[0] is not None:
            tipo, _valor, tb = record.exc_info
            linea["exc_type"] = f"{tipo.__module__}.{tipo.__qualname__}"
            linea["stack"] = "".join(traceback.format_tb(tb))
        return json.dumps(linea, ensure_ascii=False, default=str)


class TextoFormatter(logging.Formatter):
    """The plain development format, with the request id when there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        texto = super().format(record)
        contexto = " ".join(f"{c}={getattr(record, c)}" for c in CAMPOS if getattr(record, c, None) is not None)
        return f"{texto} [{contexto}]" if contexto else texto
