"""Fuzzing of the whole API with schemathesis, through WSGI, as several personas.

Every operation of the generated OpenAPI document is called with positive cases (data that fits
the schema) and negative cases (data that does not), on the identifiers of seeded records as well
as on generated ones, as a municipal officer, a regional team member, national staff and a member
of the Comité Evaluador. Each response must:

- never be a server error (5xx);
- have a status code the operation documents (the shared error envelope: 400, 401, 403, 404,
  405, 406, 409 for writes with state checks, 415, 429);
- have the documented content type and a body that matches the documented schema;
- for a negative case, refuse it (a 4xx, never a 2xx).

Then stateful runs follow the OpenAPI links of the schema (``sello/api/schema.py``: register a
case → open it → read and write its conversation → apply a workflow action; request a minuta →
read it → download it; list → open the first row) with a bounded number of steps, under the same
checks.

The run prints ``Fuzzing: N operaciones, M peticiones, 0 errores 5xx``.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
import schemathesis
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from capacitaciones.models import Capacitacion
from estadisticas.models import Minuta
from estadisticas.periodos import periodo_actual
from municipios.models import Municipalidad, Usuario
from sello.models import EstadoSello
from sello.wsgi import application

from .capacitaciones_fixtures import capacitacion, dispositivo, practica
from .casos_fixtures import caso, mensaje
from .conftest import INDEPENDENCIA, QUILICURA, VALPARAISO, api_client_for
from .sello_fixtures import construir
from .test_estadisticas_minutas_web import nueva_minuta

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
CHECKS_NEGATIVOS = [*CHECKS, negative_data_rejection]
PERSONAS = ("municipal", "regional", "nacional", "evaluador")
# Examples per operation, persona and generation mode (generated and seeded identifiers).
EJEMPLOS = 8
# Stateful runs: scenarios per persona, steps per scenario.
ESCENARIOS = 12
PASOS = 6
TOKEN = "/api/v1/auth/token/"
# Operations with nothing a negative case can break: no body, and path parameters that are free
# text (any string is a well-formed CUT to ask for: the answer is a 404).
SIN_CASOS_NEGATIVOS = {
    "DELETE /api/v1/auth/token/",
    "GET /api/v1/comunas/{cut}/",
    "GET /api/v1/regiones/{cut}/",
}
AJUSTES = {
    "deadline": None,
    "suppress_health_check": list(HealthCheck),
    "database": None,
    "derandomize": True,
    "phases": [Phase.explicit, Phase.generate],
}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def cargar_esquema() -> Any:
    schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    schema.app = application
    return schema


@dataclass
class Mundo:
    """Seeded records whose identifiers the fuzzer uses as path parameters."""

    usuarios: dict[str, Usuario]
    tokens: dict[str, str]
    ids: dict[str, list[str]]
    acciones_sin_evidencia: list[int]


@dataclass
class Registro:
    """What the fuzzer did: requests per operation and status, and each failure once."""

    peticiones: int = 0
    por_operacion: Counter[str] = field(default_factory=Counter)
    estados: Counter[int] = field(default_factory=Counter)
    exitos: Counter[str] = field(default_factory=Counter)
    fallas: dict[tuple[str, str], str] = field(default_factory=dict)

    def llamar(self, case: Any, persona: str, mundo: Mundo, checks: list[Any]) -> Any:
        token = mundo.tokens[persona]
        case.headers = {**(case.headers or {}), "Authorization": f"Token {token}"}
        response = case.call()
        if case.operation.path == TOKEN:
            # Revoking one's token is one of the operations: give the persona the same key back.
            Token.objects.get_or_create(key=token, defaults={"user": mundo.usuarios[persona]})
        self.peticiones += 1
        self.por_operacion[case.operation.label] += 1
        self.estados[response.status_code] += 1
        if response.status_code < 300:
            self.exitos[case.operation.label] += 1
        try:
            case.validate_response(response, checks=checks)
        except FailureGroup as group:
            for failure in group.exceptions:
                self.fallar(case, response, failure, persona)
        except Failure as failure:
            self.fallar(case, response, failure, persona)
        return response

    def fallar(self, case: Any, response: Any, failure: Failure, persona: str) -> None:
        clave = (case.operation.label, failure.title)
        if clave not in self.fallas:
            modo = case.meta.generation.mode if case.meta else "?"
            self.fallas[clave] = (
                f"{case.operation.label} [{persona}, {modo}] -> {response.status_code}: {failure.title}: "
                f"{failure.message[:600]} | path={case.path_parameters} query={case.query} "
                f"body={str(case.body)[:300]} | respuesta={response.content[:300]!r}"
            )

    def errores_5xx(self) -> int:
        return sum(n for status, n in self.estados.items() if status >= 500)


@pytest.fixture
def mundo(
    municipal: Usuario, regional: Usuario, nacional: Usuario, evaluador: Usuario, independencia: Municipalidad
) -> Mundo:
    """Records of Independencia (the municipal officer's comuna) and of other territories, in
    several states: a draft case and an escalated sensitive one with its conversation, a seal in
    implementation with an evidence in each review state, trainings, operativos, a good practice
    and minutas ready, pending and failed."""
    borrador = caso(municipal)
    derivado = caso(municipal, estado="derivado", tipo="violencia")
    mensaje(derivado, municipal, "Adjunto antecedentes.")
    mensaje(derivado, regional, "Nota interna del equipo regional.", interno=True)
    sello = construir(independencia, EstadoSello.EN_IMPLEMENTACION, municipal=municipal, regional=regional)
    quilicura = Municipalidad.objects.get(comuna_id=QUILICURA)
    cap: Capacitacion = capacitacion(regional, invitadas=[independencia, quilicura], sesiones_futuras=1)
    ids = {
        "casos": [str(borrador.uuid), str(derivado.uuid)],
        "adhesiones": [str(sello.adhesion.uuid)],
        "evidencias": [str(e.uuid) for e in sello.evidencias.values()],
        "capacitaciones": [str(cap.uuid), str(capacitacion(municipal).uuid)],
        "dispositivos": [str(dispositivo(municipal, INDEPENDENCIA).uuid), str(dispositivo(nacional, VALPARAISO).uuid)],
        "buenas-practicas": [str(practica(municipal, INDEPENDENCIA, nombre="Presupuesto participativo").uuid)],
        "minutas": [
            str(nueva_minuta(INDEPENDENCIA).uuid),
            str(nueva_minuta(QUILICURA, Minuta.Estado.PENDIENTE).uuid),
            str(nueva_minuta(VALPARAISO, Minuta.Estado.ERROR, error="OSError: disco lleno").uuid),
        ],
        "municipios": [str(independencia.uuid), str(quilicura.uuid)],
        "regiones": ["13", "05"],
        "comunas": [INDEPENDENCIA, VALPARAISO],
    }
    usuarios = {"municipal": municipal, "regional": regional, "nacional": nacional, "evaluador": evaluador}
    tokens = {nombre: Token.objects.create(user=usuario).key for nombre, usuario in usuarios.items()}
    con_evidencia = {e.accion_id for e in sello.evidencias.values()}
    libres = [a.pk for a in sello.acciones if a.pk not in con_evidencia]
    return Mundo(usuarios=usuarios, tokens=tokens, ids=ids, acciones_sin_evidencia=libres)


def estrategia(operation: Any, mode: GenerationMode, mundo: Mundo) -> Any:
    """Cases on generated identifiers and on each seeded one of the operation's resource."""
    generada = operation.as_strategy(generation_mode=mode)
    parametros = [p for p in operation.path.split("/") if p.startswith("{")]
    if not parametros:
        return generada
    recurso = operation.path.split("/")[3]  # /api/v1/<recurso>/{...}/
    nombre = parametros[0].strip("{}")
    sembradas = [
        operation.as_strategy(generation_mode=mode, path_parameters={nombre: valor}) for valor in mundo.ids[recurso]
    ]
    return st.one_of(generada, *sembradas)


def fuzz(strategy: Any, persona: str, mundo: Mundo, registro: Registro, checks: list[Any]) -> None:
    @settings(max_examples=EJEMPLOS, **AJUSTES)
    @given(case=strategy)
    def run(case: Any) -> None:
        registro.llamar(case, persona, mundo, checks)

    run()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_fuzzing_de_todas_las_operaciones(mundo: Mundo, capsys: pytest.CaptureFixture[str]) -> None:
    schema = cargar_esquema()
    operaciones = [result.ok() for result in schema.get_all_operations()]
    # Revoking the token last: the key is given back after each call anyway.
    operaciones.sort(key=lambda op: op.label == f"DELETE {TOKEN}")
    registro = Registro()
    sin_negativos: set[str] = set()
    for persona in PERSONAS:
        for operation in operaciones:
            fuzz(estrategia(operation, GenerationMode.POSITIVE, mundo), persona, mundo, registro, CHECKS)
            try:
                fuzz(estrategia(operation, GenerationMode.NEGATIVE, mundo), persona, mundo, registro, CHECKS_NEGATIVOS)
            except Unsatisfiable:
                sin_negativos.add(operation.label)
    with capsys.disabled():
        print(
            f"\nFuzzing: {len(operaciones)} operaciones, {registro.peticiones} peticiones, "
            f"{registro.errores_5xx()} errores 5xx ({len(PERSONAS)} personas, casos positivos y negativos; "
            f"estados {dict(sorted(registro.estados.items()))})"
        )
    assert list(registro.fallas.values()) == []
    assert registro.errores_5xx() == 0
    assert set(registro.por_operacion) == {op.label for op in operaciones}
    assert sin_negativos == SIN_CASOS_NEGATIVOS
    # Seeded identifiers reach the records: every read operation answered 200 at least once.
    lecturas = {op.label for op in operaciones if op.method.upper() == "GET"}
    assert lecturas - set(registro.exitos) == set()


# --- Stateful -------------------------------------------------------------------------------
# Random bodies of the creating operations almost never pass every business rule (a subtype of
# the case's type, a past date, an action of the plan without evidence), so without help the
# machine would never hold a created record to follow links from. Half of the generated bodies
# are completed into a valid one; the other half go as generated.
CAMPOS_CASO = (
    "tipo_documento",
    "nacionalidad",
    "sexo",
    "tramo_edad",
    "tipo",
    "prioridad",
    "canal",
)


def caso_valido(body: dict[str, Any], mundo: Mundo) -> dict[str, Any]:
    hace_un_mes = (timezone.localdate() - timedelta(days=30)).isoformat()
    return {
        **{campo: body[campo] for campo in CAMPOS_CASO if campo in body},
        "nombres": "Ana María",
        "apellidos": "Pérez",
        "tipo_documento": "pasaporte",
        "numero_documento": "HT-4455667",
        "fecha_nacimiento": "1990-05-01",
        "descripcion": "Necesita orientación para regularizar su situación migratoria.",
        "consentimiento": True,
        "consentimiento_fecha": hace_un_mes,
    }


def minuta_valida(body: dict[str, Any], mundo: Mundo) -> dict[str, Any]:
    return {"comuna": INDEPENDENCIA, "periodo": periodo_actual().codigo}


def evidencia_valida(body: dict[str, Any], mundo: Mundo) -> dict[str, Any]:
    return {
        "accion": mundo.acciones_sin_evidencia[len(str(body)) % len(mundo.acciones_sin_evidencia)],
        "descripcion": "Acta de la mesa territorial.",
        "enlace": "https://transparencia.example.cl/acta",
    }


COMPLETAR = {
    "POST /api/v1/casos/": caso_valido,
    "POST /api/v1/minutas/": minuta_valida,
    "POST /api/v1/evidencias/": evidencia_valida,
}


def registrar_completado(schema: Any, mundo: Mundo) -> None:
    def flatmap_body(context: Any, body: Any) -> Any:
        completar = COMPLETAR.get(context.operation.label)
        if completar is None or not isinstance(body, dict):
            return st.just(body)
        return st.sampled_from([body, completar(body, mundo)])

    schema.hooks.register_hook_with_name(flatmap_body, "flatmap_body")


class MaquinaAutenticada(schemathesis.stateful.APIStateMachine):
    """Steps as one persona (its token in every call), each response under CHECKS."""

    persona: ClassVar[str]
    mundo: ClassVar[Mundo]
    registro: ClassVar[Registro]

    def call(self, case: Any, **kwargs: Any) -> Any:
        return self.registro.llamar(case, self.persona, self.mundo, CHECKS)

    def validate_response(self, response: Any, case: Any, *args: Any, **kwargs: Any) -> None:
        """Already checked (and recorded) by ``call``."""


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", ["municipal", "nacional"])
def test_fuzzing_con_estado_sigue_los_enlaces(persona: str, mundo: Mundo, capsys: pytest.CaptureFixture[str]) -> None:
    schema = cargar_esquema()
    registrar_completado(schema, mundo)
    base = schema.as_state_machine()
    registro = Registro()
    maquina = type("Maquina", (MaquinaAutenticada, base), {"persona": persona, "mundo": mundo, "registro": registro})
    maquina.run(settings=settings(max_examples=ESCENARIOS, stateful_step_count=PASOS, **AJUSTES))
    with capsys.disabled():
        print(
            f"\nFuzzing con estado ({persona}): {len(registro.por_operacion)} operaciones, "
            f"{registro.peticiones} peticiones, {registro.errores_5xx()} errores 5xx"
        )
    assert list(registro.fallas.values()) == []
    assert registro.errores_5xx() == 0
    assert registro.peticiones >= ESCENARIOS * 2
    # Links were followed to records that exist: some operation on an identifier succeeded.
    assert any("{" in operacion for operacion in registro.exitos), registro.exitos


# --- What the fuzzer found, pinned -----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("valor", ["0", "-5", "1.5", "diez", "null", "\u0661\u0662"])
def test_un_tamano_de_pagina_invalido_es_un_400_y_no_el_tamano_por_omision(valor: str, nacional: Usuario) -> None:
    response = api_client_for(nacional).get("/api/v1/regiones/", {"page_size": valor})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"page_size": ["Debe ser un número entero entre 1 y 200."]}


@pytest.mark.django_db
def test_un_tamano_de_pagina_vacio_es_el_por_omision_y_uno_grande_se_reduce(nacional: Usuario) -> None:
    cliente = api_client_for(nacional)
    assert len(cliente.get("/api/v1/comunas/", {"page_size": ""}).json()["results"]) == 50
    assert len(cliente.get("/api/v1/comunas/", {"page_size": "500"}).json()["results"]) == 200
    assert len(cliente.get("/api/v1/comunas/", {"page_size": "7"}).json()["results"]) == 7


@pytest.mark.django_db
def test_el_esquema_dice_que_un_filtro_vacio_es_un_filtro_omitido_y_enlaza_las_operaciones() -> None:
    esquema = SchemaGenerator().get_schema(request=None, public=True)
    casos = esquema["paths"]["/api/v1/casos/"]
    parametros = {p["name"]: p for p in casos["get"]["parameters"]}
    assert parametros["estado"]["allowEmptyValue"] is True
    assert parametros["page_size"]["schema"] == {"type": "integer", "minimum": 1}
    assert "allowEmptyValue" not in esquema["paths"]["/api/v1/casos/{uuid}/"]["get"]["parameters"][0]
    enlaces = casos["post"]["responses"]["201"]["links"]
    assert enlaces["VerCaso"] == {"operationId": "casos_retrieve", "parameters": {"uuid": "$response.body#/uuid"}}
    assert set(enlaces) == {"VerCaso", "TransicionarCaso", "LeerConversacion", "EscribirMensaje"}
    ids = {op["operationId"] for ops in esquema["paths"].values() for op in ops.values() if isinstance(op, dict)}
    destinos = {
        enlace["operationId"]
        for ops in esquema["paths"].values()
        for op in ops.values()
        if isinstance(op, dict)
        for respuesta in op["responses"].values()
        for enlace in respuesta.get("links", {}).values()
    }
    assert destinos <= ids
