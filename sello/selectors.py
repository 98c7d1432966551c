"""Reads of the seal for pages, API and admin; always through the scoping helper."""

from typing import Any

from django.db.models import Prefetch, QuerySet

from municipios.models import Municipalidad
from municipios.scoping import scoped

from .models import AccionPlan, Adhesion, EstadoEvidencia, EstadoPlan, Evidencia, PlanTrabajo, Puntaje
from .puntaje import Resultado, calcular


def adhesiones_visibles(*, usuario: Any) -> QuerySet[Adhesion]:
    return scoped(
        usuario,
        Adhesion.objects.select_related("municipalidad__comuna__region", "catalogo", "regla"),
    )


def adhesion_actual(*, municipalidad: Municipalidad) -> Adhesion | None:
    """The municipality's latest cycle (the one being worked on or in force)."""
    return (
        Adhesion.objects.filter(municipalidad=municipalidad)
        .select_related("municipalidad__comuna__region", "catalogo", "regla")
        .order_by("-ciclo")
        .first()
    )


def acciones_con_evidencias(*, adhesion: Adhesion) -> QuerySet[AccionPlan]:
    """The plan's actions with their evidence (newest first) in two queries."""
    return (
        AccionPlan.objects.filter(plan__adhesion=adhesion)
        .select_related("accion_catalogo")
        .prefetch_related(
            Prefetch(
                "evidencias",
                queryset=Evidencia.objects.select_related("archivo", "reemplaza").order_by("-enviada_en", "-pk"),
            )
        )
        .order_by("linea", "orden", "pk")
    )


def resumen(*, adhesion: Adhesion) -> Resultado:
    """Score and "what is missing" under the adhesion's rule version."""
    return calcular(adhesion)


def evidencias_por_revisar(*, usuario: Any) -> QuerySet[Evidencia]:
    """Evidence waiting for review in the user's territory, oldest first."""
    return (
        scoped(usuario, Evidencia.objects.all())
        .filter(estado=EstadoEvidencia.ENVIADA)
        .select_related("adhesion__municipalidad__comuna", "accion", "archivo")
        .order_by("enviada_en", "pk")
    )


def planes_por_revisar(*, usuario: Any) -> QuerySet[PlanTrabajo]:
    """Work plans submitted for review in the user's territory, oldest first."""
    return (
        scoped(usuario, PlanTrabajo.objects.all())
        .filter(estado=EstadoPlan.ENVIADO)
        .select_related("adhesion__municipalidad__comuna")
        .order_by("enviado_en", "pk")
    )


def estado_por_comuna() -> dict[str, dict[str, Any]]:
    """Every municipality's latest cycle: state, cycle, validity and latest stored score, keyed
    by CUT, in two queries (for the statistics' monthly snapshot; not scoped)."""
    adhesiones = Adhesion.objects.order_by("municipalidad__comuna_id", "-ciclo").values(
        "pk", "municipalidad__comuna_id", "estado", "ciclo", "vigente_hasta"
    )
    actuales: dict[str, dict[str, Any]] = {}
    for adhesion in adhesiones:
        actuales.setdefault(adhesion["municipalidad__comuna_id"], dict(adhesion))
    ultimos = (
        Puntaje.objects.filter(adhesion_id__in=[f["pk"] for f in actuales.values()])
        .order_by("adhesion_id", "-calculado_en", "-pk")
        .values("adhesion_id", "total", "por_linea")
    )
    puntajes: dict[int, dict[str, Any]] = {}
    for puntaje in ultimos:
        puntajes.setdefault(puntaje["adhesion_id"], dict(puntaje))
    resultado = {}
    for cut, fila in actuales.items():
        ultimo = puntajes.get(fila["pk"], {})
        resultado[cut] = {
            "estado": fila["estado"],
            "ciclo": fila["ciclo"],
            "vigente_hasta": fila["vigente_hasta"],
            "puntaje_total": ultimo.get("total"),
            "por_linea": ultimo.get("por_linea") or {},
        }
    return resultado
