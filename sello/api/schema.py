"""OpenAPI generation: every operation documents the shared error responses."""

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse

from .errors import ErrorSerializer


class AutoSchema(SpectacularAutoSchema):
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
        for status, description in errors.items():
            if status not in responses:
                responses[status] = self._get_response_for_code(
                    OpenApiResponse(response=ErrorSerializer, description=description),
                    status,
                )
        return responses
