"""Refresh of the platform's summary tables (``ResumenMensual``, ``ResumenSello``).

The figures are computed by GROUP BY in the database from the other apps' selectors and
replaced in one transaction: a dashboard reads either the previous refresh or the new one,
never a mix. Dashboards and minutas read only these tables.
"""

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from capacitaciones import selectors as capacitaciones_selectors
from casos import selectors as casos_selectors
from sello import selectors as sello_selectors

from .models import Actualizacion, ResumenMensual, ResumenSello

TAMANO_LOTE = 5000


def resumenes_refrescar(*, desde: date | None = None, hoy: date | None = None) -> Actualizacion:
    """Recompute the monthly figures (all months, or from ``desde``'s month on) and this
    month's snapshot of every comuna's seal. Idempotent: running it twice gives the same rows."""
    hoy = hoy or timezone.localdate()
    if desde is not None:
        desde = desde.replace(day=1)
    actualizacion = Actualizacion(iniciada_en=timezone.now())
    with transaction.atomic():
        viejas = ResumenMensual.objects.all()
        if desde is not None:
            viejas = viejas.filter(Q(anio__gt=desde.year) | Q(anio=desde.year, mes__gte=desde.month))
        viejas.delete()
        filas = 0
        lote: list[ResumenMensual] = []
        for origen in (
            casos_selectors.conteos_mensuales(desde=desde),
            capacitaciones_selectors.conteos_mensuales(desde=desde),
        ):
            for cut, anio, mes, indicador, categoria, valor in origen:
                lote.append(
                    ResumenMensual(
                        comuna_id=cut, anio=anio, mes=mes, indicador=indicador, categoria=categoria, valor=valor
                    )
                )
                if len(lote) >= TAMANO_LOTE:
                    filas += len(ResumenMensual.objects.bulk_create(lote))
                    lote = []
        filas += len(ResumenMensual.objects.bulk_create(lote))
        ResumenSello.objects.filter(anio=hoy.year, mes=hoy.month).delete()
        sellos = [
            ResumenSello(comuna_id=cut, anio=hoy.year, mes=hoy.month, **datos)
            for cut, datos in sello_selectors.estado_por_comuna().items()
        ]
        filas += len(ResumenSello.objects.bulk_create(sellos))
        actualizacion.filas = filas
        actualizacion.terminada_en = timezone.now()
        actualizacion.save()
    return actualizacion


def ultima_actualizacion() -> Actualizacion | None:
    return Actualizacion.objects.filter(terminada_en__isnull=False).order_by("-terminada_en").first()
