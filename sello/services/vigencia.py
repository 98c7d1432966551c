"""Validity of certified seals: reminders before expiry, revalidation and expiry."""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ..models import ESTADOS_CON_SELLO_VIGENTE, Adhesion, EstadoSello, Recordatorio
from ..transiciones import transicionar
from .evaluacion import revalidacion_abrir
from .notificaciones import destinatarios_municipalidad, notificar


@dataclass
class Informe:
    recordatorios: list[tuple[str, int]] = field(default_factory=list)
    revalidaciones: list[str] = field(default_factory=list)
    vencidas: list[str] = field(default_factory=list)


def vigencias_revisar(*, hoy: date) -> Informe:
    """Run the daily validity pass. Idempotent: running it twice the same day sends nothing twice
    (reminders are unique per adhesion, threshold and expiry date; transitions check state)."""
    informe = Informe()
    umbrales = sorted(settings.SELLO_RECORDATORIOS_DIAS, reverse=True)
    vigentes = Adhesion.objects.filter(estado__in=ESTADOS_CON_SELLO_VIGENTE).select_related("municipalidad__comuna")
    for adhesion in vigentes:
        assert adhesion.vigente_hasta is not None  # guaranteed by a DB constraint
        restantes = (adhesion.vigente_hasta - hoy).days
        with transaction.atomic():
            if restantes < 0:
                _vencer(adhesion)
                informe.vencidas.append(adhesion.municipalidad.comuna_id)
                continue
            cruzados = [d for d in umbrales if restantes <= d]
            nuevos = [d for d in cruzados if _registrar_recordatorio(adhesion, d)]
            if nuevos:
                _avisar(adhesion, restantes)
                informe.recordatorios.append((adhesion.municipalidad.comuna_id, min(nuevos)))
            if adhesion.estado == EstadoSello.CERTIFICADA and restantes <= max(umbrales):
                revalidacion_abrir(adhesion=adhesion)
                informe.revalidaciones.append(adhesion.municipalidad.comuna_id)
    return informe


def _registrar_recordatorio(adhesion: Adhesion, dias: int) -> bool:
    assert adhesion.vigente_hasta is not None
    try:
        with transaction.atomic():
            Recordatorio.objects.create(adhesion=adhesion, dias=dias, vigente_hasta=adhesion.vigente_hasta)
    except IntegrityError:
        return False
    return True


def _avisar(adhesion: Adhesion, restantes: int) -> None:
    notificar(
        usuarios=destinatarios_municipalidad(adhesion.municipalidad),
        titulo=_("El Sello Migrante de %(m)s vence en %(d)d días") % {"m": adhesion.municipalidad, "d": restantes},
        cuerpo=_("Vigente hasta el %(f)s. Complete la revalidación antes de esa fecha.")
        % {"f": adhesion.vigente_hasta},
        url=f"/sello/{adhesion.uuid}/",
    )


def _vencer(adhesion: Adhesion) -> None:
    transicionar(adhesion=adhesion, accion="vencer", usuario=None, comentario=_("Venció la vigencia del sello."))
    notificar(
        usuarios=destinatarios_municipalidad(adhesion.municipalidad),
        titulo=_("El Sello Migrante de %(m)s venció") % {"m": adhesion.municipalidad},
        url=f"/sello/{adhesion.uuid}/",
    )
