"""Structured logs: the production format (one JSON object per line), the request id in every
line of its request (and in the response), the Celery task id, and no personal data in any
application log record while a person's case is registered, searched and refused, and while a
login with an e-mail address fails."""

import copy
import io
import json
import logging
import logging.config
import re
import sys
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from capacitaciones.tasks import certificados_emitir
from casos.models import Caso, Persona
from sello.logs import ContextoFilter, JsonFormatter, TextoFormatter, request_id_actual, request_id_valido

from .conftest import api_client_for, client_for
from .test_cabeceras import leer_ajustes_prod

ID_CLIENTE = "5f0c6b1e-2a47-4c1b-9e0a-8d3f1b2c4d5e"


@pytest.fixture(scope="module")
def logging_prod() -> dict[str, Any]:
    """The LOGGING of sello.settings.prod, read in a subprocess with the production environment."""
    ajustes = leer_ajustes_prod(["LOGGING"])
    logging_dict: dict[str, Any] = ajustes["LOGGING"]
    return logging_dict


@pytest.fixture
def lineas(logging_prod: dict[str, Any]) -> Iterator[io.StringIO]:
    """Logging configured exactly as in production, writing to a buffer; restored afterwards."""
    salida = io.StringIO()
    config = copy.deepcopy(logging_prod)
    config["handlers"]["console"]["stream"] = salida
    logging.config.dictConfig(config)
    try:
        yield salida
    finally:
        logging.config.dictConfig(settings.LOGGING)


def leer(salida: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(linea) for linea in salida.getvalue().splitlines()]


def test_production_writes_json_lines_with_the_context_filter(logging_prod: dict[str, Any]) -> None:
    consola = logging_prod["handlers"]["console"]
    assert consola["formatter"] == "json"
    assert consola["filters"] == ["contexto"]
    assert logging_prod["formatters"]["json"] == {"()": "sello.logs.JsonFormatter"}
    assert logging_prod["filters"]["contexto"] == {"()": "sello.logs.ContextoFilter"}
    # SQL (with its parameters) is never logged, whatever LOG_LEVEL says.
    assert logging_prod["loggers"]["django.db.backends"]["level"] == "INFO"


@pytest.mark.django_db
def test_every_line_of_a_request_carries_its_id(lineas: io.StringIO, municipal) -> None:
    client = client_for(municipal)

    response = client.get("/no-existe/?q=x", HTTP_X_REQUEST_ID=ID_CLIENTE)
    otra = client.get("/casos/")

    assert response.status_code == 404
    assert response["X-Request-ID"] == ID_CLIENTE
    registros = leer(lineas)
    del_404 = [r for r in registros if r.get("request_id") == ID_CLIENTE]
    assert [(r["logger"], r["level"], r["message"]) for r in del_404] == [
        ("django.request", "WARNING", "Not Found: /no-existe/"),
        ("sello.peticiones", "INFO", "GET /no-existe/ 404"),
    ]
    acceso = del_404[-1]
    assert set(acceso) == {
        "timestamp",
        "level",
        "logger",
        "message",
        "request_id",
        "user_id",
        "path",
        "method",
        "status",
        "duration_ms",
    }
    assert acceso["path"] == "/no-existe/"  # never the query string
    assert acceso["status"] == 404
    assert acceso["method"] == "GET"
    assert acceso["user_id"] == municipal.pk
    assert isinstance(acceso["duration_ms"], float)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", acceso["timestamp"])
    # The second request got an id of its own, and no line is without one.
    assert registros[-1]["request_id"] == otra["X-Request-ID"] != ID_CLIENTE
    assert registros[-1]["message"] == "GET /casos/ 200"
    assert all(r.get("request_id") in {ID_CLIENTE, otra["X-Request-ID"]} for r in registros)
    assert request_id_actual() is None  # the context ended with the request


@pytest.mark.parametrize(
    ("enviado", "aceptado"),
    [
        (ID_CLIENTE, True),
        ("5f0c6b1e2a474c1b9e0a8d3f1b2c4d5e", True),
        ("0123456789abcdef", True),
        ("a" * 64, True),
        ("a" * 65, False),
        ("0123456789abcde", False),
        ("<script>alert(1)</script>", False),
        ("5f0c6b1e-2a47-4c1b-9e0a-8d3f1b2c4d5e\nX-Inyectada: 1", False),
        ("juan.perez@example.cl", False),
        ("", False),
    ],
)
def test_only_a_well_formed_client_id_is_kept(enviado: str, aceptado: bool) -> None:
    resultado = request_id_valido(enviado)

    assert (resultado == enviado) is aceptado
    assert re.fullmatch(r"[0-9a-fA-F-]{16,64}", resultado)


@pytest.mark.django_db
def test_a_bad_client_id_is_replaced_in_the_response(lineas: io.StringIO) -> None:
    response = Client().get("/accounts/login/", HTTP_X_REQUEST_ID="x" * 500)

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert leer(lineas)[-1]["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db
def test_a_celery_task_logs_its_task_id(lineas: io.StringIO) -> None:
    resultado = certificados_emitir.apply(args=[999_999])

    registros = leer(lineas)
    registro = next(r for r in registros if r["logger"] == "capacitaciones.tasks")
    assert registro["message"] == "certificados_emitir: capacitación 999999 no existe"
    assert registro["task_id"] == resultado.id
    assert "request_id" not in registro
    # Celery's own line about the task carries it too.
    assert {r["task_id"] for r in registros} == {resultado.id}


def test_an_exception_is_logged_with_its_type_and_stack_but_not_its_message() -> None:
    documento = "21456789K"
    try:
        raise IntegrityError(f"Key (numero_documento)=({documento}) already exists.")
    except IntegrityError:
        registro = logging.LogRecord("x", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/",), None)
        registro.exc_info = sys.exc_info()

    linea = json.loads(JsonFormatter().format(registro))

    assert linea["exc_type"] == "django.db.utils.IntegrityError"
    assert "test_an_exception_is_logged" in linea["stack"]
    assert documento not in json.dumps(linea)


# --- No personal data in application logs ------------------------------------------------------

NOMBRES = "Wislande"
APELLIDOS = "Joseph-Pierre"
RUN = "21.456.789-K"
CORREO = "wislande.joseph@correo.example"
TELEFONO = "+56 9 8765 4321"
PERSONALES = [NOMBRES, APELLIDOS, "21.456.789", "21456789", CORREO, "wislande", TELEFONO, "8765 4321"]


def datos_persona(**cambios: Any) -> dict[str, Any]:
    datos = {
        "nombres": NOMBRES,
        "apellidos": APELLIDOS,
        "tipo_documento": "run",
        "numero_documento": RUN,
        "nacionalidad": "HT",
        "sexo": "mujer",
        "fecha_nacimiento": "1990-04-02",
        "telefono": TELEFONO,
        "email": CORREO,
        "tipo": "regularizacion",
        "prioridad": "media",
        "canal": "presencial",
        "descripcion": f"{NOMBRES} {APELLIDOS} necesita orientación; contacto {CORREO}.",
        "consentimiento_fecha": str(timezone.localdate()),
    }
    datos.update(cambios)
    return datos


def textos(registro: logging.LogRecord) -> list[str]:
    """What a record can put in a log: its message and arguments, and both formats."""
    sin_excepcion = logging.makeLogRecord({**registro.__dict__, "exc_info": None, "exc_text": None})
    ContextoFilter().filter(sin_excepcion)
    return [
        registro.getMessage(),
        repr(registro.args),
        JsonFormatter().format(registro),
        TextoFormatter().format(sin_excepcion),
    ]


@pytest.mark.django_db
def test_no_personal_data_reaches_the_logs(caplog: pytest.LogCaptureFixture, municipal, regional) -> None:
    caplog.set_level(logging.DEBUG)
    municipal.email = "funcionaria.municipal@independencia.example"
    municipal.save()
    api = api_client_for(municipal)
    pagina = client_for(municipal)
    pagina.raise_request_exception = False
    api.raise_request_exception = False

    # Given a person registered with her case through the API and through the municipal page
    creado = api.post("/api/v1/casos/", {**datos_persona(), "subtipo": "residencia_temporal"}, format="json")
    assert creado.status_code == 201, creado.content
    formulario = {
        **datos_persona(numero_documento="12.345.678-5", consentimiento="on"),
        "subtipo": "regularizacion:residencia_temporal",
        "tramo_edad": "desconocido",
        "numero_solicitud_sermig": "",
    }
    assert pagina.post(reverse("casos:nuevo"), formulario).status_code == 302
    assert Persona.objects.filter(nombres=NOMBRES).count() == 2
    caso = Caso.objects.get(uuid=creado.json()["uuid"])
    # When she is searched for, read, refused (an invalid RUN) and a crash quotes her document
    assert pagina.get(f"/casos/?q={NOMBRES}+{APELLIDOS}").status_code == 200
    assert api.get(f"/api/v1/casos/{caso.uuid}/").status_code == 200
    malo = api.post("/api/v1/casos/", datos_persona(numero_documento="21.456.789-0"), format="json")
    assert malo.status_code == 400
    error = IntegrityError(f"Key (documento_normalizado)=(21456789K) already exists: {NOMBRES} {CORREO}")
    with mock.patch("casos.services.caso_crear", side_effect=error):
        caida = api.post("/api/v1/casos/", {**datos_persona(), "subtipo": "residencia_temporal"}, format="json")
    assert caida.status_code == 500
    # And logins fail with her e-mail address as user name, on the page and on the API
    login = Client().post("/accounts/login/", {"username": CORREO, "password": f"{NOMBRES}1990"})
    assert login.status_code == 200
    token = Client().post("/api/v1/auth/token/", {"username": CORREO, "password": f"{NOMBRES}1990"})
    assert token.status_code == 400

    # Then the requests were logged, by id and path, and nothing personal was
    registros = caplog.records
    accesos = [r for r in registros if r.name == "sello.peticiones"]
    assert len(accesos) == 8
    assert any(r.name == "django.request" and r.levelno == logging.ERROR for r in registros)
    prohibidos = [*PERSONALES, municipal.username, municipal.email, regional.username, regional.email]
    fugas = [(r.name, p) for r in registros for texto in textos(r) for p in prohibidos if p.lower() in texto.lower()]
    assert fugas == []
