"""One JSON error format for the whole API.

Every error is ``{"error": {"code": ..., "message": ..., "fields": {...}}}``: ``code`` is a
stable machine value, ``message`` a Spanish sentence for people, ``fields`` (validation errors
only) maps each field to its messages.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from sello.errores import ConflictoDeVersion, ErrorDeNegocio, SinPermiso, TransicionNoPermitida

MESSAGES = {
    "not_authenticated": lambda: _("Se requieren credenciales de autenticación."),
    "authentication_failed": lambda: _("Credenciales inválidas."),
    "permission_denied": lambda: _("No tiene permiso para realizar esta acción."),
    "not_found": lambda: _("No encontrado."),
    "method_not_allowed": lambda: _("Método no permitido."),
    "throttled": lambda: _("Demasiadas solicitudes. Intente nuevamente más tarde."),
    "invalid": lambda: _("Los datos enviados no son válidos."),
    "parse_error": lambda: _("El cuerpo de la solicitud no es JSON válido."),
    "unsupported_media_type": lambda: _("Tipo de contenido no soportado."),
    "not_acceptable": lambda: _("Formato de respuesta no disponible."),
    "conflict": lambda: _("El registro fue modificado por otra persona."),
}


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def status_de_negocio(exc: ErrorDeNegocio) -> int:
    """HTTP status of a refused business operation (the services wrote nothing)."""
    if isinstance(exc, ConflictoDeVersion | TransicionNoPermitida):
        return 409
    if isinstance(exc, SinPermiso):
        return 403
    return 400


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ErrorDeNegocio):
        set_rollback()
        return Response(error_body(exc.codigo, exc.mensaje), status=status_de_negocio(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    code = exc.default_code
    fields = None
    if isinstance(exc, exceptions.ValidationError):
        code = "invalid"
        detail = exc.detail
        if isinstance(detail, dict):
            fields = {k: _flatten(v) for k, v in detail.items()}
        else:
            fields = {"non_field_errors": _flatten(detail)}
        message = MESSAGES["invalid"]()
    elif code in MESSAGES:
        message = MESSAGES[code]()
    else:
        message = str(exc.detail) if isinstance(exc.detail, str) else MESSAGES["invalid"]()
    wait = getattr(exc, "wait", None)
    if isinstance(exc, exceptions.Throttled) and wait:
        message = _("Demasiadas solicitudes. Intente nuevamente en %(s)d segundos.") % {"s": int(wait)}
    response.data = error_body(code, message, fields)
    return response


def _flatten(value: Any) -> list[str]:
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            out.extend(_flatten(item))
        return out
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _flatten(v)]
    return [str(value)]


def json_not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body("not_found", MESSAGES["not_found"]()), status=404)


def json_server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body("server_error", _("Error interno del servidor.")), status=500)


class ErrorDetailSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Código estable del error, p. ej. `not_found`.")
    message = serializers.CharField(help_text="Mensaje en español para personas.")
    fields = serializers.DictField(  # type: ignore[assignment]  # an error field named "fields"
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Errores por campo (solo en errores de validación).",
    )


class ErrorSerializer(serializers.Serializer[Any]):
    error = ErrorDetailSerializer()
