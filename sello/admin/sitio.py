"""The SERMIG panel on the admin's landing page (``sello.apps.SitioAdmin.index``).

Regional staff see their región's work queues — evidence to review, escalated cases still
unassigned, overdue cases, seals expiring within 90 days, minutas whose generation failed —
each with its count and a link to where it is worked, then a few KPIs and two charts of the
región; national staff see the same for the whole country. Counts are aggregates through the
scoping helper (one query each); KPIs and charts come from the statistics' summary tables,
with the same small-cell suppression as every other statistic. The Comité Evaluador and
anyone else get the stock landing page.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from casos.selectors import cola_regional, filtrar_vencidos
from estadisticas import graficos
from estadisticas import selectors as s
from estadisticas.models import Indicador, Minuta
from estadisticas.periodos import periodo_actual
from estadisticas.resumenes import ultima_actualizacion
from municipios.models import Rol
from municipios.scoping import scoped

from ..models import Adhesion
from ..models.adhesion import ESTADOS_CON_SELLO_VIGENTE
from ..selectors import evidencias_por_revisar

DIAS_POR_VENCER = 90


@dataclass(frozen=True)
class Cola:
    """A work queue: how many items wait, and where they are worked."""

    titulo: str
    n: int
    url: str
    ayuda: str


@dataclass(frozen=True)
class Kpi:
    titulo: str
    texto: str


def colas(usuario: Any) -> list[Cola]:
    """The user's work queues with their counts (five queries, whatever the number of rows)."""
    hoy = timezone.localdate()
    limite = hoy + timedelta(days=DIAS_POR_VENCER)
    evidencias = evidencias_por_revisar(usuario=usuario).count()
    abiertos = cola_regional(usuario=usuario).order_by()
    sin_asignar = abiertos.filter(asignado_a__isnull=True).count()
    vencidos = filtrar_vencidos(abiertos, True).count()
    por_vencer = (
        scoped(usuario, Adhesion.objects.all())
        .filter(estado__in=ESTADOS_CON_SELLO_VIGENTE, vigente_hasta__lte=limite)
        .count()
    )
    fallidas = scoped(usuario, Minuta.objects.all()).filter(estado=Minuta.Estado.ERROR).count()
    estados_vigentes = ",".join(str(e) for e in ESTADOS_CON_SELLO_VIGENTE)
    return [
        Cola(
            _("Evidencias por revisar"),
            evidencias,
            reverse("sello:revision"),
            _("Medios de verificación enviados por las municipalidades, esperando su revisión."),
        ),
        Cola(
            _("Casos derivados sin asignar"),
            sin_asignar,
            reverse("casos:cola"),
            _("Casos abiertos en la cola regional que nadie ha tomado."),
        ),
        Cola(
            _("Casos con plazo vencido"),
            vencidos,
            f"{reverse('casos:lista')}?{urlencode({'vencido': 'true'})}",
            _("Casos abiertos que superaron su plazo de respuesta."),
        ),
        Cola(
            _("Sellos por vencer en %(dias)d días") % {"dias": DIAS_POR_VENCER},
            por_vencer,
            f"{reverse('admin:sello_adhesion_changelist')}?"
            + urlencode({"estado__in": estados_vigentes, "vigente_hasta__lte": limite.isoformat()}),
            _("Sellos vigentes cuya vigencia termina a más tardar el %(fecha)s.") % {"fecha": f"{limite:%d/%m/%Y}"},
        ),
        Cola(
            _("Minutas con error"),
            fallidas,
            f"{reverse('admin:estadisticas_minuta_changelist')}?{urlencode({'estado__exact': Minuta.Estado.ERROR})}",
            _("Minutas estadísticas cuya generación falló: revise el error y use «Regenerar»."),
        ),
    ]


def _dato(etiqueta: str, celda: Any) -> graficos.Dato:
    # A suppressed cell draws no bar and shows "< 5" or "reservado", never its value.
    return graficos.Dato(etiqueta, celda.publico, celda.texto if celda.suprimida else None)


def indicadores(nivel: str, codigo: str) -> dict[str, Any]:
    """KPIs and charts of the place, from the summary tables (a bounded number of queries)."""
    periodo = periodo_actual()
    tabla = s.tabla_casos(periodo)
    cuts = list(s.comunas_qs(nivel=nivel, codigo=codigo).values_list("cut", flat=True))
    resumenes = s.sellos(periodo, None if nivel == s.NACIONAL else cuts)
    por_estado = s.sellos_por_estado(resumenes.values(), cuts)
    plataforma = s.plataforma(periodo, nivel, codigo)
    con_sello = sum(n for estado, _e, n in por_estado if estado in ESTADOS_CON_SELLO_VIGENTE)
    kpis = [
        Kpi(_("Casos ingresados en el semestre"), tabla.total(nivel, codigo).texto),
        Kpi(_("Casos del semestre con plazo vencido"), tabla.vencidos(nivel, codigo).texto),
        Kpi(_("Comunas con sello vigente"), f"{con_sello} / {len(cuts)}"),
        Kpi(
            _("Personas capacitadas en el semestre"),
            graficos.formatear(sum(plataforma[Indicador.PERSONAS_CAPACITADAS].values())),
        ),
    ]
    sellos = [graficos.Dato(etiqueta, n) for _e, etiqueta, n in por_estado]
    casos = [_dato(etiqueta, celda) for _c, etiqueta, celda in tabla.dimension(nivel, codigo, Indicador.CASOS_ESTADO)]
    titulo_sellos = _("Comunas por estado del Sello")
    titulo_casos = _("Casos del semestre por estado")
    actualizacion = ultima_actualizacion()
    return {
        "periodo": periodo,
        "kpis": kpis,
        "graficos": [
            {
                "titulo": titulo_sellos,
                "datos": sellos,
                "grafico": graficos.barras_horizontales(sellos, titulo=titulo_sellos),
            },
            {
                "titulo": titulo_casos,
                "datos": casos,
                "grafico": graficos.barras_horizontales(casos, titulo=titulo_casos),
            },
        ],
        "actualizado_en": actualizacion.terminada_en if actualizacion else None,
    }


def panel(usuario: Any) -> dict[str, Any] | None:
    """The landing panel of regional or national staff; None for anyone else."""
    if not (usuario.is_active and usuario.is_staff):
        return None
    if usuario.rol == Rol.REGIONAL and usuario.region_id:
        nivel, codigo = s.REGION, usuario.region_id
        ambito = str(usuario.region)
        tablero = reverse("estadisticas:region", kwargs={"cut": codigo})
    elif usuario.rol == Rol.NACIONAL:
        nivel, codigo, ambito = s.NACIONAL, "", _("Todo el país")
        tablero = reverse("estadisticas:nacional")
    else:
        return None
    return {"ambito": ambito, "tablero": tablero, "colas": colas(usuario), **indicadores(nivel, codigo)}
