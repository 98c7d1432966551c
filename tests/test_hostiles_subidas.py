"""Every upload point x every hostile file (``tests/hostiles/archivos.py``): refused with a
Spanish message and nothing stored (no row, no file under a per-test MEDIA_ROOT). Requests are
raw multipart bodies, so file names reach Django exactly as a hostile browser sends them.

Upload points (grep FileField / request.FILES / archivos.guardar): the signed carta de
compromiso, seal evidence (web and API), case message attachments (web and API), the
attendance CSV of a training session and the upload of official statistics. The attendance
CSV is read, never stored, so a name alone cannot make it hostile: it gets the content
attacks only.
"""

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from capacitaciones.models import Asistencia
from casos.models import EstadoCaso, Mensaje
from estadisticas.models import Fuente, Importacion
from municipios.models import Usuario
from sello import archivos
from sello.demo import PDF_MINIMO
from sello.errores import ArchivoInvalido
from sello.models import Adhesion, Archivo, EstadoSello, Evidencia

from .capacitaciones_fixtures import capacitacion, inscripcion
from .casos_fixtures import caso
from .conftest import api_client_for, client_for
from .hostiles.archivos import LIMITE, Hostil, Motivo, hostiles, nombres_neutralizados
from .sello_fixtures import construir

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "estadisticas" / "data"
CSV_OFICIAL = (DATA / "extranjeros_estimados_ine_sermig_regiones.csv").read_bytes()
CSV_ASISTENCIA = b"correo;estado\r\nana@independencia.cl;presente\r\n"
DOCUMENTO = {
    Motivo.VACIO: "El archivo está vacío.",
    Motivo.GRANDE: "El archivo supera el tamaño máximo",
    Motivo.CONTENIDO: "El contenido del archivo no es un documento permitido",
    Motivo.NOMBRE: "pero su contenido es PDF. Cambie el nombre para que termine en .pdf",
}


def mensaje_documento(hostil: Hostil) -> tuple[str, ...]:
    return (DOCUMENTO[hostil.motivo],)


def mensaje_importacion(hostil: Hostil) -> tuple[str, ...]:
    if hostil.motivo == Motivo.VACIO:
        return ("El archivo está vacío.",)
    if hostil.motivo == Motivo.GRANDE:
        return ("el máximo es 512,0\xa0KB",)
    extension = Path(unicodedata.normalize("NFC", hostil.nombre).replace("\x00", "")).suffix
    return {
        ".csv": ("El contenido del archivo no es un CSV de texto",),
        ".xlsx": ("El archivo no es un libro de Excel .xlsx válido.", "El libro de Excel no se acepta"),
    }.get(extension, ("El archivo debe ser .csv o .xlsx",))


def mensaje_asistencia(hostil: Hostil) -> tuple[str, ...]:
    if hostil.motivo == Motivo.GRANDE:
        return ("El archivo supera 1 MB.",)
    return ("El archivo no está en UTF-8", "El archivo debe tener las columnas «correo» y «estado»")


@dataclass(frozen=True)
class Envio:
    client: Client
    url: str
    campos: dict[str, str]
    campo_archivo: str


@dataclass(frozen=True)
class Punto:
    clave: str
    extension: str
    valido: bytes
    guarda: bool  # the file is stored (and its name shown and sent back on download)
    mensajes: Callable[[Hostil], tuple[str, ...]]
    preparar: Callable[[Any], Envio]
    aceptado: int  # status of an accepted upload


def _adhesion_web(r: Any) -> Envio:
    interesada = construir(r.getfixturevalue("independencia"), EstadoSello.INTERESADA, municipal=r.municipal)
    hoy = timezone.localdate()
    campos = {
        "fecha_adhesion": (hoy - timedelta(days=5)).isoformat(),
        "acuerdo_concejo_numero": "45/2026",
        "acuerdo_concejo_fecha": (hoy - timedelta(days=10)).isoformat(),
        "encargado_nombre": "Rosa Pérez",
        "encargado_cargo": "Encargada Oficina de Migrantes",
        "encargado_email": "rosa@independencia.cl",
        "version": str(interesada.adhesion.version),
    }
    url = reverse("sello:adhesion", kwargs={"uuid": interesada.adhesion.uuid})
    return Envio(client_for(r.municipal), url, campos, "carta_firmada")


def _accion_libre(r: Any) -> Any:
    sello = construir(
        r.getfixturevalue("independencia"), EstadoSello.EN_IMPLEMENTACION, municipal=r.municipal, regional=r.regional
    )
    return sello.adhesion, next(a for a in sello.acciones if not a.evidencias.exists())


def _evidencia_web(r: Any) -> Envio:
    adhesion, accion = _accion_libre(r)
    url = reverse("sello:evidencia_nueva", kwargs={"uuid": adhesion.uuid, "pk": accion.pk})
    return Envio(client_for(r.municipal), url, {"descripcion": "Acta firmada"}, "archivo")


def _evidencia_api(r: Any) -> Envio:
    _adhesion, accion = _accion_libre(r)
    campos = {"accion": str(accion.pk), "descripcion": "Acta firmada"}
    return Envio(api_client_for(r.municipal), "/api/v1/evidencias/", campos, "archivo")


def _caso_en_gestion(r: Any) -> Any:
    return caso(r.municipal, estado=EstadoCaso.EN_GESTION, asignado_a=r.regional)


def _mensaje_web(r: Any) -> Envio:
    url = reverse("casos:mensajes", kwargs={"uuid": _caso_en_gestion(r).uuid})
    return Envio(client_for(r.municipal), url, {"texto": "Va el archivo"}, "adjunto")


def _mensaje_api(r: Any) -> Envio:
    url = f"/api/v1/casos/{_caso_en_gestion(r).uuid}/mensajes/"
    return Envio(api_client_for(r.municipal), url, {"texto": "Va el archivo"}, "adjunto")


def _asistencia_web(r: Any) -> Envio:
    independencia = r.getfixturevalue("independencia")
    cap = capacitacion(r.regional, invitadas=[independencia])
    inscripcion(cap, "Ana Pérez", "ana@independencia.cl", municipalidad=independencia)
    sesion = cap.sesiones.filter(inicio__lt=timezone.now()).order_by("inicio").first()
    assert sesion is not None
    url = reverse("capacitaciones:asistencia_importar", kwargs={"pk": sesion.pk})
    return Envio(client_for(r.regional), url, {}, "archivo")


def _importacion_web(r: Any) -> Envio:
    campos = {"fuente": Fuente.INE_SERMIG_RESUMEN_REGIONES, "release": "2023-12"}
    return Envio(
        client_for(r.getfixturevalue("nacional")), reverse("estadisticas:importacion_nueva"), campos, "archivo"
    )


PUNTOS = [
    Punto("carta de compromiso (web)", ".pdf", PDF_MINIMO, True, mensaje_documento, _adhesion_web, 302),
    Punto("evidencia del sello (web)", ".pdf", PDF_MINIMO, True, mensaje_documento, _evidencia_web, 302),
    Punto("evidencia del sello (API)", ".pdf", PDF_MINIMO, True, mensaje_documento, _evidencia_api, 201),
    Punto("adjunto de mensaje de caso (web)", ".pdf", PDF_MINIMO, True, mensaje_documento, _mensaje_web, 302),
    Punto("adjunto de mensaje de caso (API)", ".pdf", PDF_MINIMO, True, mensaje_documento, _mensaje_api, 201),
    Punto("asistencia CSV (web)", ".csv", CSV_ASISTENCIA, False, mensaje_asistencia, _asistencia_web, 302),
    Punto("importación oficial (web)", ".csv", CSV_OFICIAL, True, mensaje_importacion, _importacion_web, 302),
]
COMBINACIONES = [
    (punto, hostil)
    for punto in PUNTOS
    for hostil in hostiles(punto.extension, punto.valido)
    if punto.guarda or hostil.motivo != Motivo.NOMBRE
]
NOMBRES = [
    (punto, clave, nombre)
    for punto in PUNTOS
    if punto.guarda
    for clave, nombre in nombres_neutralizados(punto.extension).items()
]


class Personas:
    """The personas every point uses; others are fetched on demand (``getfixturevalue``)."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self.getfixturevalue = request.getfixturevalue
        self.municipal = request.getfixturevalue("municipal")
        self.regional = request.getfixturevalue("regional")


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SELLO_MAX_UPLOAD_BYTES = LIMITE
    settings.SELLO_MAX_IMPORTACION_BYTES = LIMITE
    return tmp_path / "media"


def multipart(campos: dict[str, str], campo_archivo: str, nombre: str, contenido: bytes) -> tuple[bytes, str]:
    """A multipart body with the file name sent verbatim (UTF-8, as browsers do)."""
    frontera = "----frontera-hostil-7MA4YWxkTrZu0gW"
    partes = [
        f'--{frontera}\r\nContent-Disposition: form-data; name="{campo}"\r\n\r\n{valor}\r\n'.encode()
        for campo, valor in campos.items()
    ]
    cabecera = (
        f'--{frontera}\r\nContent-Disposition: form-data; name="{campo_archivo}"; filename="{nombre}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    )
    partes.append(cabecera.encode() + contenido + b"\r\n")
    partes.append(f"--{frontera}--\r\n".encode())
    return b"".join(partes), f"multipart/form-data; boundary={frontera}"


def subir(envio: Envio, nombre: str, contenido: bytes) -> Any:
    cuerpo, tipo = multipart(envio.campos, envio.campo_archivo, nombre, contenido)
    return envio.client.post(envio.url, data=cuerpo, content_type=tipo)


def en_disco(media: Path) -> set[Path]:
    return {p for p in media.rglob("*") if p.is_file()} if media.exists() else set()


def estado(media: Path) -> tuple[Any, ...]:
    """Everything a refused upload must leave as it was."""
    return (
        Archivo.objects.count(),
        tuple(Adhesion.objects.order_by("pk").values_list("pk", "estado", "version", "carta_firmada_id")),
        Evidencia.objects.count(),
        Mensaje.objects.count(),
        Asistencia.objects.count(),
        Importacion.objects.count(),
        en_disco(media),
    )


def mensaje_de(response: Any) -> str:
    if response["Content-Type"].startswith("application/json"):
        error = response.json()["error"]
        return " ".join([error["message"], *(m for ms in error.get("fields", {}).values() for m in ms)])
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(("punto", "hostil"), COMBINACIONES, ids=[f"{p.clave} - {h.clave}" for p, h in COMBINACIONES])
def test_a_hostile_file_is_refused_and_nothing_is_stored(
    punto: Punto, hostil: Hostil, request: pytest.FixtureRequest, media: Path
) -> None:
    envio = punto.preparar(Personas(request))
    antes = estado(media)

    response = subir(envio, hostil.nombre, hostil.contenido)

    assert response.status_code == 400, (response.status_code, response.content[:300])
    texto = mensaje_de(response)
    esperados = punto.mensajes(hostil)
    assert any(m in texto for m in esperados), f"none of {esperados} in the response"
    assert estado(media) == antes


@pytest.mark.parametrize(("punto", "clave", "nombre"), NOMBRES, ids=[f"{p.clave} - {c}" for p, c, _ in NOMBRES])
def test_a_hostile_name_is_neutralised(
    punto: Punto, clave: str, nombre: str, request: pytest.FixtureRequest, media: Path
) -> None:
    """Accepted with a valid file, but stored under a random name inside MEDIA_ROOT, and shown
    (and sent back on download) without path, control characters or over 150 characters."""
    envio = punto.preparar(Personas(request))
    antes = en_disco(media)

    response = subir(envio, nombre, punto.valido)

    assert response.status_code == punto.aceptado, response.content[:300]
    (nuevo,) = en_disco(media) - antes
    assert nuevo.resolve().is_relative_to(media.resolve())
    if punto.clave.startswith("importación"):
        mostrado = Importacion.objects.get().nombre_archivo
    else:
        assert re.fullmatch(r"[0-9a-f]{32}", nuevo.name), nuevo  # never the uploader's name on disk
        mostrado = Archivo.objects.latest("pk").nombre_original
        assert len(mostrado) <= 150
    assert not {"/", "\\"} & set(mostrado)
    assert ".." not in mostrado
    assert mostrado.isprintable()
    assert mostrado == unicodedata.normalize("NFC", mostrado)
    assert mostrado.endswith(punto.extension)


DIRECTOS = hostiles(".pdf", PDF_MINIMO)


@pytest.mark.parametrize("hostil", DIRECTOS, ids=[h.clave for h in DIRECTOS])
def test_the_shared_helper_refuses_names_django_never_cleaned(hostil: Hostil, municipal: Usuario, media: Path) -> None:
    """``archivos.guardar`` called from code (a task, the demo, a future endpoint) gets the name
    as given, control characters and all: it refuses the same files, with the same messages."""
    antes = estado(media)
    with pytest.raises(ArchivoInvalido) as error:
        archivos.guardar(upload=SimpleUploadedFile(hostil.nombre, hostil.contenido), usuario=municipal)
    assert DOCUMENTO[hostil.motivo] in error.value.mensaje
    assert estado(media) == antes


def test_the_hostile_inputs_tried_are_reported(capsys: pytest.CaptureFixture[str]) -> None:
    por_punto = {p.clave: sum(1 for q, _ in COMBINACIONES if q is p) for p in PUNTOS}
    with capsys.disabled():
        print(
            f"\nhostile uploads: {len(COMBINACIONES)} (upload point x hostile file) combinations refused "
            f"over {len(PUNTOS)} upload points, plus {len(DIRECTOS)} direct calls to archivos.guardar and "
            f"{len(NOMBRES)} hostile names neutralised; " + ", ".join(f"{clave}: {n}" for clave, n in por_punto.items())
        )
    assert len(COMBINACIONES) == sum(por_punto.values())
