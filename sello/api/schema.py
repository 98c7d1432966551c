"""OpenAPI generation: every operation documents the shared error responses, query parameters
say that an empty value means "not given", and responses carry OpenAPI links to the operations
that use the identifiers they return (clients and schemathesis' stateful tests follow them)."""

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse

from .errors import ErrorSerializer

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
CONFLICT = "Conflicto: otra persona modificó el registro (versión desactualizada) o su estado no permite la operación."


# (operation, status) -> links: name -> (target operation, {path parameter: runtime expression}).
DETALLE = {"uuid": "$response.body#/uuid"}
PRIMERO = {"uuid": "$response.body#/results/0/uuid"}
PRIMERA_CUT = {"cut": "$response.body#/results/0/cut"}
Enlaces = dict[tuple[str, str], dict[str, tuple[str, dict[str, str]]]]
ENLACES: Enlaces = {
    ("casos_create", "201"): {
        "VerCaso": ("casos_retrieve", DETALLE),
        "TransicionarCaso": ("casos_transiciones_create", DETALLE),
        "LeerConversacion": ("casos_mensajes_list", DETALLE),
        "EscribirMensaje": ("casos_mensajes_create", DETALLE),
    },
    ("casos_retrieve", "200"): {
        "TransicionarCaso": ("casos_transiciones_create", DETALLE),
        "LeerConversacion": ("casos_mensajes_list", DETALLE),
        "EscribirMensaje": ("casos_mensajes_create", DETALLE),
    },
    ("casos_transiciones_create", "200"): {"VerCaso": ("casos_retrieve", DETALLE)},
    ("casos_list", "200"): {"VerPrimerCaso": ("casos_retrieve", PRIMERO)},
    ("adhesiones_list", "200"): {"VerPrimeraAdhesion": ("adhesiones_retrieve", PRIMERO)},
    ("adhesiones_retrieve", "200"): {"TransicionarAdhesion": ("adhesiones_transiciones_create", DETALLE)},
    ("evidencias_create", "201"): {
        "VerEvidencia": ("evidencias_retrieve", DETALLE),
        "RevisarEvidencia": ("evidencias_revisar_create", DETALLE),
    },
    ("evidencias_list", "200"): {"VerPrimeraEvidencia": ("evidencias_retrieve", PRIMERO)},
    ("evidencias_retrieve", "200"): {"RevisarEvidencia": ("evidencias_revisar_create", DETALLE)},
    ("minutas_create", "202"): {
        "VerMinuta": ("minutas_retrieve", DETALLE),
        "DescargarMinuta": ("minutas_descargar_retrieve", DETALLE),
    },
    ("minutas_list", "200"): {"VerPrimeraMinuta": ("minutas_retrieve", PRIMERO)},
    ("minutas_retrieve", "200"): {"DescargarMinuta": ("minutas_descargar_retrieve", DETALLE)},
    ("capacitaciones_list", "200"): {"VerPrimeraCapacitacion": ("capacitaciones_retrieve", PRIMERO)},
    ("dispositivos_list", "200"): {"VerPrimerDispositivo": ("dispositivos_retrieve", PRIMERO)},
    ("buenas_practicas_list", "200"): {"VerPrimeraPractica": ("buenas_practicas_retrieve", PRIMERO)},
    ("municipios_list", "200"): {"VerPrimerMunicipio": ("municipios_retrieve", PRIMERO)},
    ("regiones_list", "200"): {"VerPrimeraRegion": ("regiones_retrieve", PRIMERA_CUT)},
    ("comunas_list", "200"): {"VerPrimeraComuna": ("comunas_retrieve", PRIMERA_CUT)},
}


class AutoSchema(SpectacularAutoSchema):
    """Views whose writes call services with optimistic locking or state checks declare
    ``documentar_conflictos = True``: their write operations also document 409."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation: dict[str, Any] | None = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        for (operation_id, status), enlaces in ENLACES.items():
            if operation["operationId"] == operation_id and status in operation["responses"]:
                operation["responses"][status]["links"] = {
                    nombre: {"operationId": destino, "parameters": dict(parametros)}
                    for nombre, (destino, parametros) in enlaces.items()
                }
        return operation

    def _get_filter_parameters(self) -> list[dict[str, Any]]:
        return self._vacio_es_omitido(super()._get_filter_parameters())

    def _get_pagination_parameters(self) -> list[dict[str, Any]]:
        return self._vacio_es_omitido(super()._get_pagination_parameters())

    @staticmethod
    def _vacio_es_omitido(parametros: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Filters and pagination read ``?estado=`` (what an HTML form sends for "all") as not
        given: say so, so that clients (and the fuzzer) know an empty value is not refused."""
        for parametro in parametros:
            if parametro.get("in") == "query" and not parametro.get("required"):
                parametro["allowEmptyValue"] = True
        return parametros

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
