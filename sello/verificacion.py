"""Public reads of certificates: verification by code and the registry of seals in force.

These are the only reads of seal data that do not go through ``municipios.scoping``: anyone
holding a printed certificate (or nobody at all, for the registry) may check it without an
account, as PRODUCT.md §2 promises. They are safe to leave unscoped because they return only
what the certificate itself states publicly: municipality, región, resolution number, validity
and revocation. Nothing else of the adhesion (plan, evidence, officers, scores) is reachable.

Other kinds of certificate (e.g. capacitaciones) plug in with :func:`registrar`: a *buscador*
takes a code and returns a :class:`Verificacion` or ``None``. The seal registers its own below.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ESTADOS_CON_SELLO_VIGENTE, Certificado, EstadoSello

# Codes are URL-safe tokens (``secrets.token_urlsafe``); anything else is not a code, and is
# refused before reaching the database.
CODIGO_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


class EstadoCertificado(models.TextChoices):
    VALIDO = "valido", _("vigente")
    VENCIDO = "vencido", _("vencido")
    REVOCADO = "revocado", _("revocado")


@dataclass(frozen=True, kw_only=True)
class Verificacion:
    """What a verification page may reveal, and nothing more.

    The seal's certificates state a región, a resolution and a validity date; other kinds leave
    those empty and list what they state in ``detalles`` (label, value), e.g. a training
    certificate's title, dates and hours. ``acredita`` names what a revoked or expired
    certificate no longer proves ("el Sello Migrante")."""

    tipo: str
    titular: str
    estado: EstadoCertificado
    region: str = ""
    resolucion_numero: str = ""
    vigente_hasta: date | None = None
    revocado_en: datetime | None = None
    acredita: str = ""
    detalles: tuple[tuple[str, str], ...] = ()


Buscador = Callable[[str], Verificacion | None]

_buscadores: list[Buscador] = []


def registrar(buscador: Buscador) -> Buscador:
    """Add a lookup of certificates by code (usable as a decorator; registering twice is a no-op)."""
    if buscador not in _buscadores:
        _buscadores.append(buscador)
    return buscador


def codigo_valido(codigo: str) -> bool:
    return bool(CODIGO_RE.match(codigo))


def verificar(codigo: str) -> Verificacion | None:
    """The certificate with ``codigo``, whichever registered kind it is; ``None`` if there is none."""
    if not codigo_valido(codigo):
        return None
    for buscador in _buscadores:
        encontrado = buscador(codigo)
        if encontrado is not None:
            return encontrado
    return None


def estado_certificado(certificado: Certificado, *, hoy: date) -> EstadoCertificado:
    if certificado.revocado_en is not None:
        return EstadoCertificado.REVOCADO
    if certificado.vigente_hasta < hoy or certificado.adhesion.estado in (EstadoSello.VENCIDA, EstadoSello.RETIRADA):
        return EstadoCertificado.VENCIDO
    return EstadoCertificado.VALIDO


@registrar
def certificado_del_sello(codigo: str) -> Verificacion | None:
    """The seal's own certificates (one query)."""
    certificado = (
        Certificado.objects.select_related("adhesion")
        .only(
            "municipalidad_nombre",
            "region_nombre",
            "resolucion_numero",
            "vigente_hasta",
            "revocado_en",
            "adhesion__estado",
        )
        .filter(codigo=codigo)
        .first()
    )
    if certificado is None:
        return None
    return Verificacion(
        tipo=str(_("Sello Migrante")),
        titular=certificado.municipalidad_nombre,
        region=certificado.region_nombre,
        resolucion_numero=certificado.resolucion_numero,
        vigente_hasta=certificado.vigente_hasta,
        estado=estado_certificado(certificado, hoy=timezone.localdate()),
        revocado_en=certificado.revocado_en,
        acredita=str(_("el Sello Migrante")),
    )


def sellos_vigentes(*, hoy: date, region_cut: str | None = None) -> QuerySet[Certificado]:
    """Certificates of the seals in force (certified or awaiting revalidation, not revoked,
    not past their date), by región north to south, then name. One query.

    At most one per municipality: the previous cycle leaves these states when the next one is
    certified, so the list is bounded by the number of municipalities and needs no paging."""
    qs = Certificado.objects.filter(
        revocado_en__isnull=True,
        vigente_hasta__gte=hoy,
        adhesion__estado__in=ESTADOS_CON_SELLO_VIGENTE,
    )
    if region_cut:
        qs = qs.filter(adhesion__municipalidad__comuna__region_id=region_cut)
    return qs.select_related("adhesion__municipalidad__comuna__region").order_by(
        "adhesion__municipalidad__comuna__region__orden_norte_sur", "municipalidad_nombre", "pk"
    )
