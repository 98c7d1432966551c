"""Persona fixtures and helpers shared by the whole suite.

Territory comes from the data migration (346 real comunas). The personas:
municipal of Independencia (13108) and of Quilicura (13125, same región), regional of the
Región Metropolitana (13) and of Valparaíso (05), nacional, evaluador, anonymous.
"""

import importlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from municipios.dosfactores import obligado
from municipios.models import Municipalidad, Rol, Usuario

from .factories import UsuarioFactory

if TYPE_CHECKING:
    from .sello_fixtures import Sello

# The fault-injection summary at the end of a run ("Fallas: N escenarios, N pasan").
pytest_plugins = ["tests.fallas_resumen"]

INDEPENDENCIA = "13108"
QUILICURA = "13125"
VALPARAISO = "05101"
RM = "13"
REGION_VALPARAISO = "05"

PERSONAS = (
    "anonimo",
    "municipal",
    "municipal_otra",
    "regional",
    "regional_otra",
    "nacional",
    "evaluador",
)


# Data migrations whose rows transactional tests flush: (module, loader, model that proves it ran).
SEMILLAS = [
    ("municipios.migrations.0002_cargar_territorio", "cargar", "municipios.Region"),
    ("sello.migrations.0003_catalogo_y_regla_iniciales", "sembrar", "sello.CatalogoVersion"),
    ("casos.migrations.0002_plazos_iniciales", "sembrar", "casos.PlazoRespuesta"),
]


def asegurar_territorio() -> None:
    """Reload what the data migrations load (territory, seal catalogue and rule, case deadlines)
    if a flush removed it.

    Transactional tests (live server, real worker, schemathesis) end with a flush of every
    table, data-migration rows included; this reloads them with the migrations' own loaders
    (bulk inserts, ~0.2 s; ``serialized_rollback`` took ~4 s per test).
    """
    for modulo, funcion, modelo in SEMILLAS:
        if not django_apps.get_model(modelo).objects.exists():
            getattr(importlib.import_module(modulo), funcion)(django_apps, None)


@pytest.fixture(autouse=True)
def _territorio_en_tests_transaccionales(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        asegurar_territorio()


@pytest.fixture
def municipal(db: None) -> Usuario:
    return UsuarioFactory.municipal(INDEPENDENCIA, username="p.municipal")


@pytest.fixture
def municipal_otra(db: None) -> Usuario:
    return UsuarioFactory.municipal(QUILICURA, username="p.municipal.otra")


@pytest.fixture
def municipal_valparaiso(db: None) -> Usuario:
    return UsuarioFactory.municipal(VALPARAISO, username="p.municipal.valpo")


@pytest.fixture
def regional(db: None) -> Usuario:
    return UsuarioFactory.regional(RM, username="p.regional")


@pytest.fixture
def regional_otra(db: None) -> Usuario:
    return UsuarioFactory.regional(REGION_VALPARAISO, username="p.regional.otra")


@pytest.fixture
def nacional(db: None) -> Usuario:
    return UsuarioFactory(rol=Rol.NACIONAL, is_staff=True, username="p.nacional")


@pytest.fixture
def evaluador(db: None) -> Usuario:
    return UsuarioFactory(rol=Rol.EVALUADOR, is_staff=True, username="p.evaluador")


@pytest.fixture
def sin_rol(db: None) -> Usuario:
    return UsuarioFactory(username="p.sinrol")


@pytest.fixture
def anonimo() -> None:
    return None


@pytest.fixture
def persona(request: pytest.FixtureRequest) -> Callable[[str], Usuario | None]:
    """``persona("regional")`` -> that persona's user (None for the anonymous one)."""

    def get(nombre: str) -> Usuario | None:
        value: Usuario | None = request.getfixturevalue(nombre)
        return value

    return get


@pytest.fixture
def independencia(db: None) -> Municipalidad:
    return Municipalidad.objects.select_related("comuna").get(comuna_id=INDEPENDENCIA)


@pytest.fixture
def quilicura(db: None) -> Municipalidad:
    return Municipalidad.objects.select_related("comuna").get(comuna_id=QUILICURA)


def client_for(user: Usuario | None) -> Client:
    """A client logged in as ``user``; for SERMIG staff and admins (who need the second factor)
    the session is also verified, as after a code from their app (``verificar_sesion``)."""
    client = Client()
    if user is not None:
        client.force_login(user)
        if obligado(user):
            verificar_sesion(client, user)
    return client


def dispositivo_totp(user: Usuario) -> TOTPDevice:
    """The user's confirmed TOTP app (created when missing)."""
    dispositivo = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return dispositivo or TOTPDevice.objects.create(user=user, name="Teléfono de pruebas", confirmed=True)


def verificar_sesion(client: Client, user: Usuario) -> None:
    """Mark the client's session as passed the second factor, as ``django_otp.login`` does."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = dispositivo_totp(user).persistent_id
    session.save()


def codigo_totp(dispositivo: TOTPDevice) -> str:
    """The code the user's app shows now, computed from the device's secret (RFC 6238).

    Each time step's code is accepted once: if this step's was used already, the next step's
    (accepted within the device's tolerance of one step)."""
    dispositivo.refresh_from_db()
    ahora = (int(time.time()) - dispositivo.t0) // dispositivo.step + dispositivo.drift
    paso = max(ahora, dispositivo.last_t + 1)
    if paso > ahora + dispositivo.tolerance:
        dispositivo.last_t = ahora - 1
        dispositivo.save(update_fields=["last_t"])
        paso = ahora
    return f"{hotp(dispositivo.bin_key, paso, digits=dispositivo.digits):0{dispositivo.digits}d}"


def api_client_for(user: Usuario | None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def sello_independencia(municipal, regional, independencia) -> "Sello":
    """Independencia in implementation, with one evidence in each review state."""
    from sello.models import EstadoSello

    from .sello_fixtures import construir

    return construir(independencia, EstadoSello.EN_IMPLEMENTACION, municipal=municipal, regional=regional)


@pytest.fixture
def sello_quilicura(municipal_otra, regional, quilicura) -> "Sello":
    """Quilicura certified, with its certificate."""
    from sello.models import EstadoSello

    from .sello_fixtures import construir

    return construir(quilicura, EstadoSello.CERTIFICADA, municipal=municipal_otra, regional=regional)
