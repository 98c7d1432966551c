"""Fault: the same task delivered twice (an ``acks_late`` redelivery after a lost worker, a
re-queue by a sweep, a beat that fired twice).

For every task the project registers, the task runs twice with the same arguments, as a
worker would (``apply``, after-commit callbacks executed): the second delivery adds nothing
to what the first did — one file, one e-mail, one import, one reminder. A test checks that
the list covers every registered task, so a new one cannot skip this.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone

from capacitaciones.models import CertificadoCapacitacion
from casos.models import Caso, EstadoCaso, Persona, TransicionCaso
from estadisticas import services as estadisticas_services
from estadisticas import tasks as estadisticas_tasks
from estadisticas.minuta_datos import VERSION_PLANTILLA
from estadisticas.models import CifraOficial, Fuente, Importacion, Minuta, ResumenMensual, ResumenSello
from estadisticas.periodos import periodo_actual
from sello.celery import app
from sello.models import Archivo, Certificado, DecisionComite, LatidoWorker, Notificacion, Recordatorio

from .capacitaciones_fixtures import asistir, capacitacion, inscripcion
from .casos_fixtures import caso
from .privacidad_fixtures import titular

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "estadisticas" / "data"
RESUMEN_REGIONES = DATA / "extranjeros_estimados_ine_sermig_regiones.csv"


@dataclass(frozen=True)
class Entrega:
    """How to deliver one task: ``preparar`` builds the state and returns the task's args;
    ``efecto`` is what its side effects left (compared after each delivery)."""

    preparar: Callable[[pytest.FixtureRequest], list[Any]]
    efecto: Callable[[], Any]


def _archivos() -> int:
    return Archivo.objects.count()


def _certificado_sello(request: pytest.FixtureRequest) -> list[Any]:
    sello = request.getfixturevalue("sello_quilicura")
    certificado = sello.certificado
    DecisionComite.objects.create(
        adhesion=sello.adhesion,
        ronda=1,
        decision="otorgar",
        resolucion_numero="REX 1234",
        resolucion_fecha=certificado.emitido_en,
        registrada_por=request.getfixturevalue("nacional"),
    )
    return [certificado.pk]


def _vigencias(request: pytest.FixtureRequest) -> list[Any]:
    adhesion = request.getfixturevalue("sello_quilicura").adhesion
    return [(adhesion.vigente_hasta - timedelta(days=30)).isoformat()]


def _notificacion(request: pytest.FixtureRequest) -> list[Any]:
    municipal = request.getfixturevalue("municipal")
    return [Notificacion.objects.create(usuario=municipal, titulo="Plan aprobado", url="/sello/").pk]


def _notificacion_pendiente(request: pytest.FixtureRequest) -> list[Any]:
    _notificacion(request)
    Notificacion.objects.update(creada_en=timezone.now() - timedelta(minutes=10))
    return []


def _caso_atrasado(request: pytest.FixtureRequest) -> list[Any]:
    municipal = request.getfixturevalue("municipal")
    request.getfixturevalue("regional")
    c = caso(municipal, estado=EstadoCaso.DERIVADO)
    Caso.objects.filter(pk=c.pk).update(plazo=timezone.now() - timedelta(hours=1))
    return []


def _caso_retenido(request: pytest.FixtureRequest) -> list[Any]:
    t = titular(request.getfixturevalue("municipal"), request.getfixturevalue("regional"))
    hace = timezone.now() - timedelta(days=6 * 365)
    for c in (t.cerrado, t.borrador):
        TransicionCaso.objects.filter(caso=c, hasta=EstadoCaso.CERRADO).update(fecha=hace)
        Caso.objects.filter(pk=c.pk).update(actualizado_en=hace)
    return []


def _capacitacion_terminada(request: pytest.FixtureRequest) -> list[Any]:
    regional = request.getfixturevalue("regional")
    independencia = request.getfixturevalue("independencia")
    cap = capacitacion(regional, invitadas=[independencia])
    asistir(cap, inscripcion(cap, "Ana Pérez Soto", "ana@independencia.cl", municipalidad=independencia), regional)
    return [cap.pk]


def _importacion(request: pytest.FixtureRequest) -> list[Any]:
    importacion = estadisticas_services.importacion_registrar(
        fuente=Fuente.INE_SERMIG_RESUMEN_REGIONES,
        release="2023-12",
        archivo=ContentFile(RESUMEN_REGIONES.read_bytes()),
        nombre=RESUMEN_REGIONES.name,
    )
    return [importacion.pk]


def _importacion_olvidada(request: pytest.FixtureRequest) -> list[Any]:
    _importacion(request)
    Importacion.objects.update(creado_en=timezone.now() - timedelta(hours=3))
    return []


def _minuta(request: pytest.FixtureRequest, **extra: Any) -> list[Any]:
    minuta = Minuta.objects.create(
        comuna_id="13108", periodo=periodo_actual().codigo, version_plantilla=VERSION_PLANTILLA, **extra
    )
    return [minuta.pk]


def _minuta_fallida(request: pytest.FixtureRequest) -> list[Any]:
    _minuta(request, estado=Minuta.Estado.ERROR, intentos=1, error="OSError")
    return []


def _programar(request: pytest.FixtureRequest) -> list[Any]:
    # The 346 jobs it queues are counted, not rendered (each job's own delivery is tested above).
    request.getfixturevalue("monkeypatch").setattr(estadisticas_tasks.minuta_generar, "delay", lambda pk: None)
    return [periodo_actual().codigo]


def _casos_del_mes(request: pytest.FixtureRequest) -> list[Any]:
    caso(request.getfixturevalue("municipal"), estado=EstadoCaso.DERIVADO)
    return []


def _minutas() -> tuple[Any, ...]:
    return (
        tuple(Minuta.objects.order_by("pk").values_list("estado", "archivo", "huella")),
        sorted(p.name for p in Path(app_media()).rglob("minuta-*.pdf")),
    )


def app_media() -> str:
    from django.conf import settings

    return str(settings.MEDIA_ROOT)


def _importaciones() -> tuple[Any, ...]:
    return (tuple(Importacion.objects.values_list("estado", "filas")), CifraOficial.objects.count())


ENTREGAS: dict[str, Entrega] = {
    "sello.latido": Entrega(lambda r: ["w1"], lambda: list(LatidoWorker.objects.values_list("worker", flat=True))),
    "sello.vigencias_revisar": Entrega(
        _vigencias,
        lambda: (tuple(Recordatorio.objects.values_list("dias", flat=True)), Notificacion.objects.count()),
    ),
    "sello.certificado_generar_pdf": Entrega(
        _certificado_sello, lambda: (_archivos(), tuple(Certificado.objects.values_list("pdf", flat=True)))
    ),
    "sello.notificacion_enviar_correo": Entrega(_notificacion, lambda: [m.to for m in mail.outbox]),
    "sello.notificaciones_pendientes": Entrega(_notificacion_pendiente, lambda: [m.to for m in mail.outbox]),
    "casos.marcar_vencidos": Entrega(
        _caso_atrasado,
        lambda: (tuple(Caso.objects.values_list("vencido", flat=True)), Notificacion.objects.count()),
    ),
    "casos.retencion_aplicar": Entrega(
        _caso_retenido, lambda: tuple(Persona.objects.order_by("pk").values_list("anonimizada_en", flat=True))
    ),
    "capacitaciones.certificados_emitir": Entrega(
        _capacitacion_terminada,
        lambda: (tuple(CertificadoCapacitacion.objects.values_list("codigo", "pdf")), _archivos()),
    ),
    "estadisticas.importar": Entrega(_importacion, _importaciones),
    "estadisticas.importaciones_pendientes": Entrega(_importacion_olvidada, _importaciones),
    "estadisticas.refrescar": Entrega(
        _casos_del_mes,
        lambda: (
            tuple(ResumenMensual.objects.order_by("pk").values_list("comuna_id", "anio", "mes")),
            ResumenSello.objects.count(),
        ),
    ),
    "estadisticas.minuta_generar": Entrega(_minuta, _minutas),
    "estadisticas.minutas_programar": Entrega(_programar, lambda: Minuta.objects.count()),
    "estadisticas.minutas_reintentar": Entrega(_minuta_fallida, _minutas),
}


@pytest.fixture(autouse=True)
def _media_propia(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def tareas_del_proyecto() -> set[str]:
    """Every task a worker registers (the apps' tasks modules, discovered as the worker does)."""
    app.loader.import_default_modules()
    return {nombre for nombre in app.tasks if not nombre.startswith("celery.")}


def test_every_registered_task_is_delivered_twice_here() -> None:
    assert tareas_del_proyecto() == set(ENTREGAS)


@pytest.mark.parametrize("nombre", sorted(ENTREGAS))
def test_a_second_delivery_adds_nothing(
    nombre: str, request: pytest.FixtureRequest, django_capture_on_commit_callbacks: Any
) -> None:
    entrega = ENTREGAS[nombre]
    assert nombre in tareas_del_proyecto()
    tarea = app.tasks[nombre]
    args = entrega.preparar(request)
    mail.outbox.clear()
    antes = entrega.efecto()

    with django_capture_on_commit_callbacks(execute=True):
        tarea.apply(args=args).get()
    primera = entrega.efecto()
    with django_capture_on_commit_callbacks(execute=True):
        tarea.apply(args=args).get()

    assert primera != antes  # the first delivery did its work
    assert entrega.efecto() == primera  # the second added nothing
