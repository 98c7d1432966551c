"""Fault: a PDF render that exceeds its time limit.

In a Celery task, the soft time limit raises ``SoftTimeLimitExceeded`` inside WeasyPrint (what
a prefork worker does at ``soft_time_limit``; injected here from the patched renderer): the
minuta ends ``error`` with a Spanish message, without a file, retried by the sweep within its
cap, and the worker goes on with the next job. In a request (carta de compromiso, certificate
downloads, personal-data export), a real alarm of ``SELLO_PDF_TIEMPO_MAXIMO`` seconds cuts a
render that hangs, and the user gets a 503 page with the error id instead of a 500 or a proxy
timeout.
"""

import time
from pathlib import Path
from typing import Any

import pytest
import weasyprint
from celery.exceptions import SoftTimeLimitExceeded
from django.urls import reverse

from estadisticas import minutas, tasks
from estadisticas.minuta_datos import VERSION_PLANTILLA
from estadisticas.models import Minuta
from estadisticas.periodos import periodo_actual
from sello import pdf

from .conftest import client_for

pytestmark = pytest.mark.django_db

MENSAJE = "La generación superó el tiempo máximo y se canceló; no quedó ningún archivo. Se reintentará automáticamente."


@pytest.fixture(autouse=True)
def _media_propia(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def agotado(self: Any, *args: Any, **kwargs: Any) -> bytes:
    """WeasyPrint interrupted by the task's soft time limit."""
    raise SoftTimeLimitExceeded()


@pytest.fixture
def render_agotado(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(weasyprint.HTML, "write_pdf", agotado)


@pytest.fixture
def render_colgado(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """WeasyPrint that never finishes (for a request: no Celery limit, the alarm must cut it)."""
    settings.SELLO_PDF_TIEMPO_MAXIMO = 0.2

    def colgado(self: Any, *args: Any, **kwargs: Any) -> bytes:
        for _ in range(600):  # at most 60 s, so that a broken limit fails instead of hanging
            time.sleep(0.1)
        raise AssertionError("the render was not interrupted")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", colgado)


def nueva_minuta(cut: str = "13108") -> Minuta:
    return Minuta.objects.create(comuna_id=cut, periodo=periodo_actual().codigo, version_plantilla=VERSION_PLANTILLA)


def archivos(media: Path) -> list[str]:
    return sorted(p.name for p in media.rglob("*") if p.is_file())


def test_a_minuta_past_its_time_limit_ends_in_error_without_a_file(
    render_agotado: None, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    minuta = nueva_minuta()
    resultado = tasks.minuta_generar.apply(args=[minuta.pk], throw=False)

    assert resultado.failed()
    assert isinstance(resultado.result, pdf.RenderAgotado)
    minuta.refresh_from_db()
    assert (minuta.estado, minuta.error, minuta.intentos, minuta.archivo.name) == (
        Minuta.Estado.ERROR,
        MENSAJE,
        1,
        "",
    )
    assert archivos(Path(settings.MEDIA_ROOT)) == []


def test_the_worker_goes_on_and_the_sweep_retries_it(
    settings: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    minuta = nueva_minuta()
    with monkeypatch.context() as parche:
        parche.setattr(weasyprint.HTML, "write_pdf", agotado)
        assert tasks.minuta_generar.apply(args=[minuta.pk], throw=False).failed()

    # The next job in the same process renders normally
    otra = nueva_minuta("13101")
    assert tasks.minuta_generar.apply(args=[otra.pk]).get() == "generada"
    # and the sweep retries the one that timed out
    with django_capture_on_commit_callbacks(execute=True):
        assert minutas.minutas_reintentar() == 1
    minuta.refresh_from_db()
    assert (minuta.estado, minuta.error, minuta.intentos) == (Minuta.Estado.LISTA, "", 2)
    assert len(archivos(Path(settings.MEDIA_ROOT))) == 2


def test_a_minuta_that_always_times_out_stops_after_its_attempts(
    render_agotado: None, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    minuta = nueva_minuta()
    monkeypatch.setattr(tasks.minuta_generar, "delay", lambda pk: tasks.minuta_generar.apply([pk], throw=False))
    tasks.minuta_generar.apply(args=[minuta.pk], throw=False)
    for _ in range(minutas.MAX_INTENTOS):
        with django_capture_on_commit_callbacks(execute=True):
            minutas.minutas_reintentar()

    minuta.refresh_from_db()
    assert (minuta.estado, minuta.intentos, minuta.error) == (Minuta.Estado.ERROR, minutas.MAX_INTENTOS, MENSAJE)
    assert minutas.minutas_reintentar() == 0


def test_a_hanging_render_in_a_request_is_cut_by_the_alarm(
    render_colgado: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf, "render_html", lambda template, context: "<p>Documento</p>")

    with pytest.raises(pdf.RenderAgotado):
        pdf.render_pdf("pdf/documento.html", {})


def test_the_carta_de_compromiso_gives_a_503_page_when_its_render_hangs(
    render_colgado: None, sello_independencia: Any, municipal: Any
) -> None:
    url = reverse("sello:carta", kwargs={"uuid": sello_independencia.adhesion.uuid})

    response = client_for(municipal).get(url)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "El documento tardó demasiado en generarse. Intente nuevamente en unos minutos." in html
    assert f'<code id="error-id">{response["X-Request-ID"]}</code>' in html


def test_a_certificate_download_gives_a_503_page_and_stores_nothing(
    render_colgado: None, sello_quilicura: Any, municipal_otra: Any, settings: Any
) -> None:
    certificado = sello_quilicura.certificado
    url = reverse("sello:certificado_pdf", kwargs={"codigo": certificado.codigo})

    response = client_for(municipal_otra).get(url)

    assert response.status_code == 503
    certificado.refresh_from_db()
    assert certificado.pdf_id is None
    assert archivos(Path(settings.MEDIA_ROOT)) == []
