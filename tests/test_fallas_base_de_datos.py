"""Fault: PostgreSQL unavailable during a request.

The fault is injected at the database driver boundary (``connection.execute_wrapper``): the
statement right after a given one fails with ``OperationalError``, as when the server goes
away mid-request. The answer is a 503 page (or the API's JSON error) with ``Retry-After`` and
an error id equal to the request id that every log line of the request carries; nothing the
request started is left half-written. A real refused connection (a closed port) is tried too.
"""

import io
import json
import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import OperationalError, connection

from casos.models import Caso, EstadoCaso, Persona, TransicionCaso
from sello.logs import ContextoFilter, JsonFormatter
from sello.models import Notificacion

from .casos_fixtures import caso
from .conftest import api_client_for, client_for

# Transactional: the request's own transaction is the outermost one, as in production (a
# test transaction around it would be broken by the failures injected).
pytestmark = pytest.mark.django_db(transaction=True)

ID_PETICION = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
PERDIDA = "server closed the connection unexpectedly"


@pytest.fixture
def registros() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """Every record logged meanwhile, as the production JSON lines (with the context filter)."""
    salida = io.StringIO()
    manejador = logging.StreamHandler(salida)
    manejador.addFilter(ContextoFilter())
    manejador.setFormatter(JsonFormatter())
    raiz = logging.getLogger()
    raiz.addHandler(manejador)
    try:
        yield lambda: [json.loads(linea) for linea in salida.getvalue().splitlines()]
    finally:
        raiz.removeHandler(manejador)


def caida_despues_de(prefijo: str) -> Callable[..., Any]:
    """An execute wrapper: the statement after the first one starting with ``prefijo`` fails,
    and so does every later one (the server is gone) but a rollback to a savepoint: the test's
    own transaction, around the request's, must survive it."""
    visto = {"sql": False}

    def envoltura(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if visto["sql"] and not sql.startswith("ROLLBACK TO SAVEPOINT"):
            raise OperationalError(PERDIDA)
        resultado = execute(sql, params, many, context)
        if sql.lstrip().startswith(prefijo):
            visto["sql"] = True
        return resultado

    return envoltura


def fotografia() -> tuple[Any, ...]:
    return (
        tuple(Caso.objects.order_by("pk").values_list("pk", "estado", "version")),
        Caso.history.count(),
        Persona.objects.count(),
        Persona.history.count(),
        TransicionCaso.objects.count(),
        Notificacion.objects.count(),
    )


def datos_caso_nuevo() -> dict[str, str]:
    return {
        "nombres": "Wislande",
        "apellidos": "Joseph Pierre",
        "tipo_documento": "pasaporte",
        "numero_documento": "HT7654321",
        "nacionalidad": "HT",
        "sexo": "mujer",
        "fecha_nacimiento": "1990-04-02",
        "tramo_edad": "desconocido",
        "telefono": "",
        "email": "",
        "tipo": "regularizacion",
        "subtipo": "regularizacion:residencia_temporal",
        "prioridad": "media",
        "canal": "presencial",
        "descripcion": "Necesita orientación para su residencia temporal.",
        "consentimiento": "on",
        "consentimiento_fecha": "2024-01-02",
    }


def error_id_de(html: str) -> str:
    encontrado = re.search(r'<code id="error-id">([0-9a-f]+)</code>', html)
    assert encontrado is not None, html
    return encontrado.group(1)


def test_a_case_registration_cut_after_the_case_insert_is_a_503_and_writes_nothing(municipal, registros) -> None:
    # Given the database goes away right after the case row is inserted (before its history)
    antes = fotografia()
    client = client_for(municipal)

    with connection.execute_wrapper(caida_despues_de('INSERT INTO "casos_caso"')):
        response = client.post("/casos/nuevo/", datos_caso_nuevo())

    # Then a 503 page in Spanish with the request id as error id, to retry later
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "La base de datos no está disponible en este momento" in html
    error_id = error_id_de(html)
    assert error_id == response["X-Request-ID"]
    # and the id is the one every log line of the request carries
    lineas = [r for r in registros() if r.get("request_id") == error_id]
    assert [(r["logger"], r["level"], r["message"]) for r in lineas] == [
        ("sello.fallas", "ERROR", "Base de datos no disponible durante la petición (OperationalError)"),
        ("django.request", "ERROR", "Service Unavailable: /casos/nuevo/"),
        ("sello.peticiones", "INFO", "POST /casos/nuevo/ 503"),
    ]
    assert PERDIDA not in json.dumps(registros())  # the driver's message is not logged
    # and neither the person nor the case nor any history row is left behind
    assert fotografia() == antes


def caso_con_consentimiento(municipal: Any) -> Caso:
    c = caso(municipal)
    Caso.objects.filter(pk=c.pk).update(consentimiento=True, consentimiento_fecha=c.creado_en.date())
    c.refresh_from_db()
    return c


def test_a_derivation_cut_before_its_transition_row_is_a_503_and_changes_nothing(municipal, regional) -> None:
    c = caso_con_consentimiento(municipal)
    antes = fotografia()

    with connection.execute_wrapper(caida_despues_de('UPDATE "casos_caso"')):
        response = client_for(municipal).post(
            f"/casos/{c.uuid}/accion/", {"accion": "derivar", "version": c.version, "comentario": ""}
        )

    assert response.status_code == 503
    assert error_id_de(response.content.decode()) == response["X-Request-ID"]
    assert fotografia() == antes
    c.refresh_from_db()
    assert (c.estado, c.version) == (EstadoCaso.BORRADOR, 1)


def test_the_api_answers_the_json_error_envelope_with_the_id(municipal, regional) -> None:
    c = caso_con_consentimiento(municipal)
    client = api_client_for(municipal)
    antes = fotografia()

    with connection.execute_wrapper(caida_despues_de('UPDATE "casos_caso"')):
        response = client.post(
            f"/api/v1/casos/{c.uuid}/transiciones/",
            {"accion": "derivar", "version": c.version},
            format="json",
            HTTP_X_REQUEST_ID=ID_PETICION,
        )

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "30"
    assert response.json() == {
        "error": {
            "code": "service_unavailable",
            "message": (
                "La base de datos no está disponible en este momento. No se guardó nada a medias: "
                "intente nuevamente en unos minutos."
            ),
            "request_id": ID_PETICION,
        }
    }
    assert fotografia() == antes


def test_the_page_renders_without_touching_the_database(municipal) -> None:
    # Given every statement fails from the first one (the session lookup included)
    client = client_for(municipal)
    client.raise_request_exception = False

    def todo_falla(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        raise OperationalError(PERDIDA)

    with connection.execute_wrapper(todo_falla):
        response = client.get("/casos/", HTTP_X_REQUEST_ID=ID_PETICION)

    assert response.status_code == 503
    assert error_id_de(response.content.decode()) == ID_PETICION


def test_a_refused_connection_is_a_503(municipal) -> None:
    # Given the database server refuses connections (nothing listens on its port): the pool
    # is closed and the connection pointed at a closed port, as after a crash of PostgreSQL.
    client = client_for(municipal)
    client.raise_request_exception = False
    ajustes = connection.settings_dict
    originales = {clave: ajustes.get(clave) for clave in ("HOST", "PORT", "OPTIONS")}
    connection.close()
    if connection.vendor == "postgresql" and connection.pool is not None:
        connection.close_pool()
    ajustes.update(
        HOST="127.0.0.1",
        PORT="1",
        OPTIONS={k: v for k, v in (ajustes.get("OPTIONS") or {}).items() if k != "pool"} | {"connect_timeout": 2},
    )
    try:
        response = client.get("/casos/", HTTP_X_REQUEST_ID=ID_PETICION)
    finally:
        connection.close()
        ajustes.update(originales)

    assert response.status_code == 503
    assert error_id_de(response.content.decode()) == ID_PETICION
    assert Caso.objects.count() == 0  # the database is back for the rest of the suite
