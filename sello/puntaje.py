"""Scoring: computes per-line and overall scores from accepted evidence under a rule version,
and explains itself ("qué falta para certificar")."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from .models import AccionPlan, Adhesion, EstadoEvidencia, Linea, ReglaPuntaje


@dataclass
class Faltante:
    accion: str
    motivo: str
    obligatoria: bool = False


@dataclass
class ResultadoLinea:
    linea: int
    nombre: str
    peso: int
    minimo: int
    aplicables: int
    cumplidas: int
    porcentaje: Decimal
    obligatorias_pendientes: int
    faltantes: list[Faltante] = field(default_factory=list)
    por_plataforma: list[str] = field(default_factory=list)

    @property
    def cumple(self) -> bool:
        return self.aplicables > 0 and self.porcentaje >= self.minimo and self.obligatorias_pendientes == 0

    @property
    def aporte(self) -> Decimal:
        return (self.porcentaje * self.peso / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass
class Resultado:
    regla: ReglaPuntaje
    lineas: list[ResultadoLinea]
    total: Decimal
    cumple: bool
    explicacion: list[str]

    def por_linea(self) -> dict[str, str]:
        return {str(r.linea): str(r.porcentaje) for r in self.lineas}


def _pct(parte: int, todo: int) -> Decimal:
    if todo == 0:
        return Decimal("0.00")
    return (Decimal(parte) * 100 / Decimal(todo)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def calcular(adhesion: Adhesion, regla: ReglaPuntaje | None = None) -> Resultado:
    """Score ``adhesion`` under ``regla`` (its own rule by default). One query for the actions
    with their evidence counts by state."""
    from capacitaciones.selectors import acciones_cumplidas_por_plataforma

    regla = regla or adhesion.regla
    # Trainings and operativos recorded in the platform prove some actions by themselves.
    plataforma = acciones_cumplidas_por_plataforma(municipalidad=adhesion.municipalidad)
    acciones = (
        AccionPlan.objects.filter(plan__adhesion=adhesion)
        .select_related("accion_catalogo")
        .annotate(
            aceptadas=Count("evidencias", filter=Q(evidencias__estado=EstadoEvidencia.ACEPTADA)),
            enviadas=Count("evidencias", filter=Q(evidencias__estado=EstadoEvidencia.ENVIADA)),
            observadas=Count(
                "evidencias",
                filter=Q(evidencias__estado=EstadoEvidencia.OBSERVADA, evidencias__reemplazada_por__isnull=True),
            ),
            rechazadas=Count("evidencias", filter=Q(evidencias__estado=EstadoEvidencia.RECHAZADA)),
        )
        .order_by("linea", "orden", "pk")
    )
    por_linea: dict[int, list[Any]] = {linea.value: [] for linea in Linea}
    for accion in acciones:
        por_linea[accion.linea].append(accion)

    lineas: list[ResultadoLinea] = []
    for linea in Linea:
        items = por_linea[linea.value]
        aplicables = [a for a in items if not (a.no_aplica and regla.no_aplica_excluye)]

        def codigo(a: Any) -> str:
            return a.accion_catalogo.codigo if a.accion_catalogo_id else ""

        def hecha(a: Any) -> bool:
            return not a.no_aplica and (a.aceptadas > 0 or codigo(a) in plataforma)

        cumplidas = [a for a in aplicables if hecha(a)]
        por_plataforma = [f"{a.nombre}: {plataforma[codigo(a)]}" for a in aplicables if hecha(a) and a.aceptadas == 0]
        faltantes = []
        for a in aplicables:
            if hecha(a):
                continue
            if a.no_aplica:
                motivo = _("marcada «no aplica»; la regla la cuenta como pendiente")
            elif a.enviadas:
                motivo = _("evidencia enviada, en revisión regional")
            elif a.observadas:
                motivo = _("evidencia observada: debe volver a presentarla")
            elif a.rechazadas:
                motivo = _("evidencia rechazada: presente una nueva")
            else:
                motivo = _("sin evidencia presentada")
            faltantes.append(Faltante(accion=a.nombre, motivo=motivo, obligatoria=a.obligatoria))
        lineas.append(
            ResultadoLinea(
                linea=linea.value,
                nombre=str(linea.label),
                peso=regla.peso(linea.value),
                minimo=regla.minimo(linea.value),
                aplicables=len(aplicables),
                cumplidas=len(cumplidas),
                porcentaje=_pct(len(cumplidas), len(aplicables)),
                obligatorias_pendientes=sum(1 for f in faltantes if f.obligatoria),
                faltantes=faltantes,
                por_plataforma=por_plataforma,
            )
        )
    total = sum((r.aporte for r in lineas), Decimal("0.00"))
    explicacion = []
    for r in lineas:
        if r.aplicables == 0:
            explicacion.append(
                _("Línea %(n)d (%(nombre)s): no tiene acciones en el plan.") % {"n": r.linea, "nombre": r.nombre}
            )
        elif r.porcentaje < r.minimo:
            explicacion.append(
                _("Línea %(n)d (%(nombre)s): %(pct)s%% cumplido; el mínimo es %(min)d%%.")
                % {"n": r.linea, "nombre": r.nombre, "pct": r.porcentaje, "min": r.minimo}
            )
        if r.obligatorias_pendientes:
            explicacion.append(
                _("Línea %(n)d (%(nombre)s): %(k)d acción(es) obligatoria(s) sin evidencia aceptada.")
                % {"n": r.linea, "nombre": r.nombre, "k": r.obligatorias_pendientes}
            )
    if total < regla.umbral:
        explicacion.append(
            _("Puntaje total %(total)s; se requieren %(umbral)d puntos.") % {"total": total, "umbral": regla.umbral}
        )
    cumple = all(r.cumple for r in lineas) and total >= regla.umbral
    return Resultado(regla=regla, lineas=lineas, total=total, cumple=cumple, explicacion=explicacion)
