"""Fault: Redis (the Celery broker) down when data is saved.

The Celery app is pointed at a port where nothing listens and taken out of eager mode
(``broker_de_celery`` of tests/test_celery_worker.py), so every ``delay()`` really tries to
publish and fails. The requests still succeed and the data is saved; the work whose task was
lost is done by the periodic sweeps once the broker is back: the notification e-mails (the
notification rows are the outbox) exactly once, the pending import, the pending minuta.
"""

import io
import json
import logging
import os
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casos.models import Caso, EstadoCaso, TransicionCaso
from estadisticas import minutas
from estadisticas import tasks as estadisticas_tasks
from estadisticas.minuta_datos import VERSION_PLANTILLA
from estadisticas.models import Fuente, Importacion, Minuta
from estadisticas.periodos import periodo_actual
from municipios.models import Comuna
from sello import fallas
from sello import tasks as sello_tasks
from sello.celery import app
from sello.logs import ContextoFilter, JsonFormatter
from sello.models import Notificacion

from .casos_fixtures import caso
from .conftest import client_for
from .test_celery_worker import broker_de_celery

# Transactional: on_commit callbacks run when the request's transaction commits, inside it.
pytestmark = pytest.mark.django_db(transaction=True)

BROKER_CAIDO = "redis://127.0.0.1:6390/0"  # nothing listens on 6390
PROJECT_DIR = Path(__file__).resolve().parent.parent
RESUMEN_REGIONES = PROJECT_DIR / "estadisticas" / "data" / "extranjeros_estimados_ine_sermig_regiones.csv"


def broker_caido() -> AbstractContextManager[None]:
    """Inside: the broker is down. On exit it is "back": tasks run eagerly again, as in the
    rest of the suite (what a worker would do once Redis answers)."""
    return broker_de_celery(app, BROKER_CAIDO, f"sello-fallas-{os.getpid()}")


@pytest.fixture
def registros() -> Iterator[Callable[[], list[dict[str, Any]]]]:
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


@pytest.fixture(autouse=True)
def _media_propia(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def envejecer_notificaciones(minutos: int) -> None:
    """As if ``minutos`` had passed since the notifications were created."""
    Notificacion.objects.update(creada_en=timezone.now() - timedelta(minutes=minutos))


def test_a_derivation_with_the_broker_down_is_saved_and_its_email_sent_once_when_it_is_back(
    municipal, regional, registros
) -> None:
    # Given a case with consent, and the broker down
    c = caso(municipal)
    Caso.objects.filter(pk=c.pk).update(consentimiento=True, consentimiento_fecha=c.creado_en.date())

    # When the officer derives it
    with broker_caido():
        response = client_for(municipal).post(f"/casos/{c.uuid}/accion/", {"accion": "derivar", "version": 1})

    # Then the request succeeds and the derivation is saved, with its notification unsent
    assert response.status_code == 302
    assert response["Location"] == f"/casos/{c.uuid}/"
    c.refresh_from_db()
    assert (c.estado, c.version) == (EstadoCaso.DERIVADO, 2)
    assert list(TransicionCaso.objects.filter(caso=c).values_list("accion", flat=True)) == ["derivar"]
    notificacion = Notificacion.objects.get()
    assert (notificacion.usuario, notificacion.correo_enviado_en) == (regional, None)
    assert mail.outbox == []
    # and the lost task is logged with the notification id only (the title carries the folio)
    avisos = [r for r in registros() if r["logger"] == "sello.fallas"]
    assert [(r["level"], r["message"]) for r in avisos] == [
        (
            "WARNING",
            f"Broker no disponible: sello.notificacion_enviar_correo[{notificacion.pk}] no se encoló "
            "(OperationalError); la reintentará el barrido periódico",
        )
    ]
    assert avisos[0]["request_id"] == response["X-Request-ID"]

    # When the broker is back and the beat runs the outbox sweep (before and after 5 minutes)
    assert sello_tasks.notificaciones_pendientes.apply().get() == {"pendientes": 0, "enviadas": 0}
    envejecer_notificaciones(6)
    resumen = sello_tasks.notificaciones_pendientes.apply().get()

    # Then the e-mail is sent once, and never again by another sweep or the late original task
    assert resumen == {"pendientes": 1, "enviadas": 1}
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([regional.email], f"[Sello Migrante] Caso {c.folio}: derivado a sermig")
    ]
    assert sello_tasks.notificaciones_pendientes.apply().get() == {"pendientes": 0, "enviadas": 0}
    sello_tasks.notificacion_enviar_correo.apply(args=[notificacion.pk])
    assert len(mail.outbox) == 1
    notificacion.refresh_from_db()
    assert notificacion.correo_enviado_en is not None


def test_the_sweep_sends_each_pending_notification_once_and_leaves_the_rest(municipal, regional, nacional) -> None:
    # Given notifications never e-mailed: one to send, one of a user without address, one too old
    for usuario in (regional, nacional):
        Notificacion.objects.create(usuario=usuario, titulo="Caso 13108-2026-000001: derivado", url="/casos/x/")
    envejecer_notificaciones(10)
    vieja = Notificacion.objects.create(usuario=regional, titulo="Antigua")
    Notificacion.objects.filter(pk=vieja.pk).update(creada_en=timezone.now() - timedelta(days=8))
    type(nacional).objects.filter(pk=nacional.pk).update(email="")

    resumen = sello_tasks.notificaciones_pendientes.apply().get()

    assert resumen == {"pendientes": 1, "enviadas": 1}
    assert [m.to for m in mail.outbox] == [[regional.email]]
    assert sello_tasks.notificaciones_pendientes.apply().get() == {"pendientes": 0, "enviadas": 0}
    assert len(mail.outbox) == 1


def test_an_import_uploaded_with_the_broker_down_is_recorded_and_run_by_the_sweep(nacional) -> None:
    archivo = SimpleUploadedFile(RESUMEN_REGIONES.name, RESUMEN_REGIONES.read_bytes())

    with broker_caido():
        response = client_for(nacional).post(
            "/estadisticas/importaciones/nueva/",
            {"fuente": Fuente.INE_SERMIG_RESUMEN_REGIONES, "release": "2023-12", "archivo": archivo},
        )

    importacion = Importacion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/estadisticas/importaciones/{importacion.pk}/"
    assert importacion.estado == Importacion.Estado.PENDIENTE
    # The broker is back: the sweep leaves recent ones to their queued task...
    assert estadisticas_tasks.importaciones_pendientes.apply().get() == 0
    # ...and queues again the ones never run
    Importacion.objects.update(creado_en=timezone.now() - timedelta(hours=3))
    assert estadisticas_tasks.importaciones_pendientes.apply().get() == 1
    importacion.refresh_from_db()
    assert (importacion.estado, importacion.filas) == (Importacion.Estado.COMPLETADA, 18)
    assert estadisticas_tasks.importaciones_pendientes.apply().get() == 0


def test_a_minuta_requested_with_the_broker_down_stays_pending_and_the_sweep_generates_it(municipal) -> None:
    comuna = Comuna.objects.get(cut="13108")

    with broker_caido():
        minuta = minutas.minuta_solicitar(comuna=comuna, periodo=periodo_actual(), usuario=municipal)

    minuta.refresh_from_db()
    assert (minuta.estado, minuta.archivo.name) == (Minuta.Estado.PENDIENTE, "")
    Minuta.objects.filter(pk=minuta.pk).update(solicitada_en=timezone.now() - minutas.ABANDONO * 2)
    assert minutas.minutas_reintentar() == 1
    minuta.refresh_from_db()
    assert minuta.estado == Minuta.Estado.LISTA
    assert minuta.version_plantilla == VERSION_PLANTILLA


def test_publishing_to_a_dead_broker_is_logged_not_raised(registros) -> None:
    with broker_caido():
        assert fallas.encolar(sello_tasks.latido, "w1") is False
    assert [r["message"] for r in registros() if r["logger"] == "sello.fallas"] == [
        "Broker no disponible: sello.latido['w1'] no se encoló (OperationalError); la reintentará el barrido periódico"
    ]


def test_every_task_is_queued_through_encolar() -> None:
    """No ``.delay(`` / ``.apply_async(`` in the application code but in sello/fallas.py: a new
    call site would turn a broker outage into a 500 after the data was committed."""
    llamadas = re.compile(r"\.(delay|apply_async)\(")
    encontradas = [
        str(ruta.relative_to(PROJECT_DIR))
        for app_dir in ("sello", "casos", "capacitaciones", "estadisticas", "municipios")
        for ruta in sorted((PROJECT_DIR / app_dir).rglob("*.py"))
        if llamadas.search(ruta.read_text(encoding="utf-8"))
    ]
    assert encontradas == ["sello/fallas.py"]
