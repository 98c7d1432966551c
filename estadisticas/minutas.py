"""Minutas estadísticas comunales: request, generate (as a Celery job), retry.

One ``Minuta`` row per comuna, period and template version (a unique constraint), so a
duplicate delivery or a re-run never makes two. Generation runs inside a transaction that
holds the row's lock (``SELECT … FOR UPDATE SKIP LOCKED``): a second delivery running at the
same time finds the row locked and does nothing; a worker killed mid-render loses its
connection, the lock is released and nothing it did is committed, so the row stays
retryable (``generando`` with no lock held; ``minutas_reintentar`` and the redelivery of an
``acks_late`` task pick it up). The PDF is written under a new name that carries the
fingerprint of its data and the row is pointed at it only when complete: a half-written
file is never what a user downloads, and a failed run removes what it wrote (a leftover of a
killed run, found under the name about to be written, is replaced), so a job ends with one file.

Every run that takes a job (``pendiente``, ``error`` or an abandoned ``generando``) counts an
attempt: a job that keeps killing its worker is given up after ``MAX_INTENTOS`` and marked
``error`` for a person. A render past the task's time limit ends ``error`` with a Spanish
message and is retried by the sweep within the same cap. A broker that is down when a job is
queued leaves it ``pendiente``, and the sweep queues it again.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from municipios.models import Comuna
from sello.errores import ErrorDeNegocio
from sello.fallas import encolar, guardar_en_almacenamiento
from sello.pdf import RenderAgotado, render_pdf

from . import minuta_datos
from . import selectors as s
from .graficos import Dato, Serie, barras_horizontales, columnas, lineas
from .mapa import COLORES, mapa_svg
from .models import Minuta
from .periodos import Periodo

logger = logging.getLogger(__name__)

MAX_INTENTOS = 3
# A job left "generando" longer than the task's hard limit was abandoned by its worker.
ABANDONO = timedelta(minutes=15)
MESES = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")


def _encolar(minuta_ids: Iterable[int]) -> None:
    from .tasks import minuta_generar  # the task module imports this one

    ids = list(minuta_ids)
    # A broker that is down leaves the jobs "pendiente": minutas_reintentar queues them again.
    transaction.on_commit(lambda: [encolar(minuta_generar, pk) for pk in ids])


def minuta_solicitar(*, comuna: Comuna, periodo: Periodo, usuario: Any = None) -> Minuta:
    """The job of ``comuna`` and ``periodo`` (created if missing) with its generation queued.
    Generation itself decides whether anything changed; a failed job gets fresh attempts."""
    with transaction.atomic():
        minuta = _obtener_o_crear(comuna.cut, periodo, usuario)
        if minuta.estado == Minuta.Estado.ERROR:
            Minuta.objects.filter(pk=minuta.pk).update(estado=Minuta.Estado.PENDIENTE, intentos=0, error="")
            minuta.refresh_from_db()
        _encolar([minuta.pk])
    return minuta


def _obtener_o_crear(cut: str, periodo: Periodo, usuario: Any = None) -> Minuta:
    clave = {"comuna_id": cut, "periodo": periodo.codigo, "version_plantilla": minuta_datos.VERSION_PLANTILLA}
    try:
        with transaction.atomic():
            minuta, _creada = Minuta.objects.get_or_create(**clave, defaults={"solicitada_por": usuario})
    except IntegrityError:
        # Another request created it between our read and our insert: the constraint held.
        minuta = Minuta.objects.get(**clave)
    return minuta


def minutas_programar(*, periodo: Periodo, comunas: Iterable[str] | None = None) -> int:
    """Queue the minutas of every comuna (or of ``comunas``) for ``periodo``: the beat's job.
    Rows are created in bulk (existing ones kept); generation skips unchanged ones."""
    cuts = list(comunas) if comunas is not None else list(Comuna.objects.values_list("cut", flat=True))
    version = minuta_datos.VERSION_PLANTILLA
    with transaction.atomic():
        Minuta.objects.bulk_create(
            [Minuta(comuna_id=cut, periodo=periodo.codigo, version_plantilla=version) for cut in cuts],
            ignore_conflicts=True,
        )
        ids = list(
            Minuta.objects.filter(periodo=periodo.codigo, version_plantilla=version, comuna_id__in=cuts)
            .exclude(estado=Minuta.Estado.ERROR, intentos__gte=MAX_INTENTOS)
            .values_list("pk", flat=True)
        )
        _encolar(ids)
    return len(ids)


def minutas_reintentar(*, ahora: Any = None) -> int:
    """Queue again the jobs a killed worker abandoned and the failed ones with attempts left;
    abandoned jobs out of attempts are marked ``error`` for a person."""
    ahora = ahora or timezone.now()
    abandonadas = Q(estado=Minuta.Estado.GENERANDO, iniciada_en__lt=ahora - ABANDONO)
    with transaction.atomic():
        Minuta.objects.filter(abandonadas, intentos__gte=MAX_INTENTOS).update(
            estado=Minuta.Estado.ERROR,
            error=_("La generación se interrumpió %(n)d veces sin terminar; revise los registros del worker.")
            % {"n": MAX_INTENTOS},
        )
        ids = list(
            Minuta.objects.filter(
                abandonadas
                | Q(estado=Minuta.Estado.ERROR, intentos__lt=MAX_INTENTOS)
                | Q(estado=Minuta.Estado.PENDIENTE, solicitada_en__lt=ahora - ABANDONO)
            ).values_list("pk", flat=True)
        )
        _encolar(ids)
    return len(ids)


def mensaje_de_error(exc: BaseException) -> str:
    """What the job records about a failure (for staff; never personal data: aggregates only)."""
    if isinstance(exc, RenderAgotado | SoftTimeLimitExceeded):
        return _(
            "La generación superó el tiempo máximo y se canceló; no quedó ningún archivo. "
            "Se reintentará automáticamente."
        )
    if isinstance(exc, ErrorDeNegocio):
        return exc.mensaje
    return f"{type(exc).__name__}: {exc}"[:2000]


def minuta_generar(*, minuta_id: int, tabla: s.TablaCasos | None = None) -> str:
    """Render the minuta if its data changed since its file was made. Returns what happened:
    ``generada``, ``sin_cambios``, ``ocupada`` (another worker holds it), ``inexistente`` or
    ``error`` (recorded on the row with the message)."""
    with transaction.atomic():
        # Shown as "generando" while it renders, one attempt counted; SKIP LOCKED so a
        # delivery that finds the job in another worker's hands never waits for it (a
        # "generando" row whose lock is free was abandoned by a killed worker).
        libre = (
            Minuta.objects.select_for_update(skip_locked=True)
            .filter(pk=minuta_id, estado__in=[Minuta.Estado.PENDIENTE, Minuta.Estado.ERROR, Minuta.Estado.GENERANDO])
            .values_list("pk", flat=True)
            .first()
        )
        if libre is not None:
            Minuta.objects.filter(pk=libre).update(
                estado=Minuta.Estado.GENERANDO, iniciada_en=timezone.now(), intentos=F("intentos") + 1
            )
    nuevo = ""
    try:
        with transaction.atomic():
            minuta = (
                Minuta.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("comuna__region")
                .filter(pk=minuta_id)
                .first()
            )
            if minuta is None:
                return "ocupada" if Minuta.objects.filter(pk=minuta_id).exists() else "inexistente"
            periodo = Periodo.desde_texto(minuta.periodo)
            datos = minuta_datos.datos_minuta(minuta.comuna, periodo, tabla)
            huella = minuta_datos.huella(datos)
            if minuta.huella == huella and minuta.archivo:
                Minuta.objects.filter(pk=minuta.pk).update(
                    estado=Minuta.Estado.LISTA, omitidas=minuta.omitidas + 1, error=""
                )
                return "sin_cambios"
            anterior = minuta.archivo.name if minuta.archivo else ""
            pdf = render_pdf("pdf/estadisticas/minuta.html", contexto_pdf(datos))
            nombre = f"minuta-{minuta.comuna_id}-{minuta.periodo}-v{minuta.version_plantilla}-{huella[:12]}.pdf"
            storage = minuta.archivo.storage
            destino = Minuta.archivo.field.generate_filename(minuta, nombre)
            if storage.exists(destino):
                # Left by a run killed between writing it and committing (this run holds the
                # row's lock, so no other run is writing it): replaced, not duplicated.
                storage.delete(destino)
            guardar_en_almacenamiento(minuta.archivo, nombre, ContentFile(pdf))
            nuevo = minuta.archivo.name or ""
            minuta.huella = huella
            minuta.tamano = len(pdf)
            minuta.estado = Minuta.Estado.LISTA
            minuta.error = ""
            if libre is None:  # not counted when taken above (a "lista" job regenerating)
                minuta.intentos += 1
            minuta.generada_en = timezone.now()
            minuta.save()
            if anterior and anterior != minuta.archivo.name:
                transaction.on_commit(lambda: storage.delete(anterior))
            return "generada"
    except Exception as exc:
        # Recorded on the job (the transaction above rolled back, so the file written for it
        # goes too) and re-raised for Celery's bounded retry.
        logger.exception("minuta %s: error al generar", minuta_id)
        if nuevo:
            Minuta.archivo.field.storage.delete(nuevo)
        Minuta.objects.filter(pk=minuta_id).update(
            estado=Minuta.Estado.ERROR,
            error=mensaje_de_error(exc),
            intentos=F("intentos") + (0 if libre is not None else 1),
        )
        raise


def contexto_pdf(datos: dict[str, Any]) -> dict[str, Any]:
    """The template context: the data plus its charts (SVG, drawn here, not fingerprinted)."""
    estimacion = datos["estimacion"]
    series = []
    if estimacion["serie"]:
        series.append(
            Serie(
                datos["comuna"]["nombre"],
                [Dato(str(p["anio"]), p["valor"]) for p in estimacion["serie"]],
            )
        )
    elif estimacion["serie_regional"]:
        series.append(
            Serie(
                datos["comuna"]["region"],
                [Dato(str(p["anio"]), p["valor"]) for p in estimacion["serie_regional"]],
            )
        )
    casos = datos["casos"]
    sello = datos["sello"]
    graficos = {
        "estimacion": lineas(series, titulo=_("Personas extranjeras residentes estimadas")),
        "paises": barras_horizontales(
            [Dato(p["pais"], p["valor"]) for p in estimacion["paises"]],
            titulo=_("Principales países de origen"),
        ),
        "casos_mes": columnas(
            [Dato(f"{MESES[p['mes'] - 1]} {p['anio']}", p["valor"]) for p in casos["por_mes"]],
            titulo=_("Casos ingresados por mes"),
        ),
        "casos_tipo": barras_horizontales(
            [Dato(f["etiqueta"], f["valor"], f["texto"]) for f in casos["dimensiones"]["casos_tipo"]],
            titulo=_("Casos por tipo"),
        ),
        "sello_lineas": barras_horizontales(
            [
                Dato(_("Línea %(linea)s") % {"linea": f["linea"]}, f["valor"], None if f["valor"] is not None else "—")
                for f in sello["por_linea"]
            ],
            titulo=_("Puntaje por línea (%)"),
            unidad="%",
        ),
        "mapa": mapa_svg(
            {
                cut: COLORES.get(estado or "sin_adhesion", COLORES["sin_adhesion"])
                for cut, estado in sello["estados_region"].items()
            },
            region_cut=datos["comuna"]["region_cut"],
            destacar=datos["comuna"]["cut"],
            titulo=_("Estado del Sello en las comunas de la región"),
        ),
    }
    return {"d": datos, "graficos": graficos}
