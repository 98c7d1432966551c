"""OpenAPI generation: every operation documents the shared error responses."""

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse

from .errors import ErrorSerializer

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
CONFLICT = "Conflicto: otra persona modificó el registro (versión desactualizada) o su estado no permite la operación."


class AutoSchema(SpectacularAutoSchema):
    """Views whose writes call services with optimistic locking or state checks declare
    ``documentar_conflictos = True``: their write operations also document 409."""

    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        errors: dict[str, str] = {
            "400": "Datos inválidos.",
            "401": "No autenticado: falta el token o es inválido.",
            "403": "Sin permiso para esta operación.",
            "404": "No existe o está fuera del territorio del usuario.",
            "405": "Método no permitido.",
            "406": "Formato de respuesta no disponible.",
            "415": "Tipo de contenido no soportado.",
            "429": "Demasiadas solicitudes.",
        }
        if self.method in WRITE_METHODS and getattr(self.view, "documentar_conflictos", False):
            errors["409"] = CONFLICT
        for status, description in errors.items():
            if status not in responses:
                responses[status] = self._get_response_for_code(
                    OpenApiResponse(response=ErrorSerializer, description=description),
                    status,
                )
        return responses
