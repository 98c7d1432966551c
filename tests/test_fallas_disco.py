"""Fault: the disk fills up during an upload.

The storage write is made to fail with ``ENOSPC`` after half of the file reached the disk, as
when the volume fills mid-write. At each upload point — an evidence of the seal, a case
message's attachment, an official data file — the user gets a clear Spanish message, no row
is written and no partial file is left behind. When Django itself cannot spool a large upload
to a temporary file, the answer is a 507 page with the error id.
"""

import errno
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.urls import reverse

from casos.models import EstadoCaso, Mensaje
from estadisticas.models import Fuente, Importacion
from sello.demo import PDF_MINIMO
from sello.models import Archivo, Evidencia

from .casos_fixtures import caso
from .conftest import api_client_for, client_for

pytestmark = pytest.mark.django_db

MENSAJE = (
    "No se pudo guardar el archivo: el almacenamiento está lleno o no disponible. "
    "No se guardó nada; intente nuevamente más tarde."
)
CSV = Path(__file__).resolve().parent.parent / "estadisticas" / "data" / "extranjeros_estimados_ine_sermig_regiones.csv"


class MitadYDiscoLleno:
    """File content whose second half never reaches the disk: ENOSPC after the first."""

    def __init__(self, contenido: Any) -> None:
        self.contenido = contenido

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        datos = b"".join(self.contenido.chunks())
        yield datos[: max(1, len(datos) // 2)]
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, nombre: str) -> Any:
        return getattr(self.contenido, nombre)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def disco_lleno(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every file save writes half and fails; returns the names it left half-written (checked
    on disk at the moment of the failure, before anyone cleans up)."""
    original = FileSystemStorage._save
    intentados: list[str] = []

    def lleno(self: FileSystemStorage, name: str, content: Any) -> str:
        try:
            return original(self, name, MitadYDiscoLleno(content))
        except OSError:
            if Path(self.path(name)).stat().st_size > 0:
                intentados.append(name)
            raise

    monkeypatch.setattr(FileSystemStorage, "_save", lleno)
    return intentados


def archivos(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file())


def test_an_evidence_upload_on_a_full_disk_is_refused_and_leaves_nothing(
    municipal, sello_independencia, media, disco_lleno
) -> None:
    accion = sello_independencia.acciones[4]
    url = reverse("sello:evidencia_nueva", kwargs={"uuid": sello_independencia.adhesion.uuid, "pk": accion.pk})
    antes = (Evidencia.objects.count(), Archivo.objects.count(), archivos(media))

    response = client_for(municipal).post(
        url, {"descripcion": "Decreto", "archivo": SimpleUploadedFile("decreto.pdf", PDF_MINIMO)}
    )

    assert response.status_code == 400
    assert MENSAJE in response.content.decode()
    assert len(disco_lleno) == 1  # the write was really attempted, and failed half-way
    assert (Evidencia.objects.count(), Archivo.objects.count(), archivos(media)) == antes


def test_a_case_attachment_on_a_full_disk_is_refused_and_leaves_nothing(municipal, media, disco_lleno) -> None:
    c = caso(municipal, estado=EstadoCaso.DERIVADO)
    url = reverse("casos:detalle", kwargs={"uuid": c.uuid}) + "mensajes/"

    response = client_for(municipal).post(
        url, {"texto": "Copia del pasaporte", "adjunto": SimpleUploadedFile("pasaporte.pdf", PDF_MINIMO)}
    )

    assert response.status_code == 400
    assert MENSAJE in response.content.decode()
    assert len(disco_lleno) == 1
    assert (Mensaje.objects.count(), Archivo.objects.count(), archivos(media)) == (0, 0, [])


def test_the_api_answers_the_error_envelope(municipal, media, disco_lleno) -> None:
    c = caso(municipal, estado=EstadoCaso.DERIVADO)

    response = api_client_for(municipal).post(
        f"/api/v1/casos/{c.uuid}/mensajes/",
        {"texto": "Copia", "adjunto": SimpleUploadedFile("pasaporte.pdf", PDF_MINIMO)},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json() == {"error": {"code": "storage_unavailable", "message": MENSAJE}}
    assert (Mensaje.objects.count(), Archivo.objects.count(), archivos(media)) == (0, 0, [])


def test_an_official_data_upload_on_a_full_disk_is_refused_and_leaves_nothing(
    nacional, media, disco_lleno, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(nacional).post(
            "/estadisticas/importaciones/nueva/",
            {
                "fuente": Fuente.INE_SERMIG_RESUMEN_REGIONES,
                "release": "2023-12",
                "archivo": SimpleUploadedFile(CSV.name, CSV.read_bytes()),
            },
        )

    assert response.status_code == 400
    assert MENSAJE in response.content.decode()
    assert disco_lleno == [f"estadisticas/importaciones/{CSV.name}"]
    assert callbacks == []  # no import queued
    assert (Importacion.objects.count(), archivos(media)) == (0, [])


def test_a_large_upload_that_cannot_be_spooled_gets_a_507_page(
    municipal, media, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Django writes uploads over FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file first.
    def sin_espacio(self: Any, *args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", sin_espacio)
    c = caso(municipal, estado=EstadoCaso.DERIVADO)
    grande = SimpleUploadedFile("informe.pdf", PDF_MINIMO + b" " * 3_000_000)
    client = client_for(municipal)
    client.raise_request_exception = False
    url = reverse("casos:detalle", kwargs={"uuid": c.uuid}) + "mensajes/"

    response = client.post(url, {"texto": "x", "adjunto": grande})

    assert response.status_code == 507
    html = response.content.decode()
    assert "No hay espacio para guardar archivos en este momento; no se guardó nada." in html
    assert f'<code id="error-id">{response["X-Request-ID"]}</code>' in html
    assert (Mensaje.objects.count(), Archivo.objects.count(), archivos(media)) == (0, 0, [])
