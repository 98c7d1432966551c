"""Reads of cases, always scoped; masking of sensitive names for lists, search and exports."""

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from municipios.models import Rol
from municipios.scoping import scoped

from .documentos import enmascarar
from .models import Caso, EstadoCaso, Mensaje, Persona


def casos_visibles(*, usuario: Any) -> QuerySet[Caso]:
    """Cases in the user's territory (the Comité Evaluador sees none), with what lists show."""
    return scoped(usuario, Caso.objects.select_related("comuna__region", "persona", "asignado_a"))


def cola_regional(*, usuario: Any) -> QuerySet[Caso]:
    """The regional queue: open escalated cases, unassigned first, overdue next, oldest first."""
    return (
        casos_visibles(usuario=usuario)
        .filter(
            estado__in=[
                EstadoCaso.DERIVADO,
                EstadoCaso.EN_GESTION,
                EstadoCaso.REQUIERE_INFORMACION,
                EstadoCaso.REABIERTO,
            ]
        )
        .annotate(
            sin_asignar=Case(
                When(asignado_a__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("sin_asignar", "-vencido", "plazo", "pk")
    )


def mensajes_visibles(*, caso: Caso, usuario: Any) -> QuerySet[Mensaje]:
    """The conversation; internal notes only for SERMIG staff."""
    mensajes = caso.mensajes.select_related("autor", "adjunto").order_by("creado_en", "pk")
    if getattr(usuario, "rol", None) not in (Rol.REGIONAL, Rol.NACIONAL):
        mensajes = mensajes.filter(interno=False)
    return mensajes


def posibles_duplicados(*, usuario: Any, tipo_documento: str, numero_documento: str) -> QuerySet[Persona]:
    """People already registered in the user's scope with the same normalised document."""
    from .services import documento_normalizado

    normalizado = documento_normalizado(tipo_documento, numero_documento)
    if not normalizado:
        return Persona.objects.none()
    return scoped(usuario, Persona.objects.all()).filter(documento_normalizado=normalizado)


def nombre_visible(caso: Caso, *, revelar: bool = False) -> str:
    """The person's name as lists, search results and exports show it: masked (initials) for
    sensitive cases unless the case itself is opened (``revelar``)."""
    persona = caso.persona
    if caso.sensible and not revelar:
        iniciales = " ".join(f"{p[0]}." for p in f"{persona.nombres} {persona.apellidos}".split() if p)
        return iniciales or "•••"
    return f"{persona.nombres} {persona.apellidos}".strip()


def documento_visible(caso: Caso, *, revelar: bool = False) -> str:
    """Document numbers are masked everywhere but on the opened case."""
    normalizado = caso.persona.documento_normalizado
    if not normalizado:
        return ""
    return normalizado if revelar else enmascarar(normalizado)


# Same states the overdue task marks: lists are right even before the task has run.
ESTADOS_CON_PLAZO = (EstadoCaso.DERIVADO, EstadoCaso.EN_GESTION, EstadoCaso.REABIERTO)


def filtrar_vencidos(qs: QuerySet[Caso], vencidos: bool) -> QuerySet[Caso]:
    condicion = Q(vencido=True) | Q(plazo__lt=timezone.now(), estado__in=ESTADOS_CON_PLAZO)
    return qs.filter(condicion) if vencidos else qs.exclude(condicion)


def esta_vencido(caso: Caso, *, ahora: datetime) -> bool:
    """Whether a fetched case is overdue, by the same rule as :func:`filtrar_vencidos` (so a
    list shows "vencido" on exactly the rows its "vencido" filter returns)."""
    return caso.vencido or (caso.plazo is not None and caso.plazo < ahora and caso.estado in ESTADOS_CON_PLAZO)


# Dimensions of the monthly case statistics (estadisticas.ResumenMensual): indicator → the
# lookup whose value is the category.
DIMENSIONES_ESTADISTICAS = {
    "casos_tipo": "tipo",
    "casos_estado": "estado",
    "casos_prioridad": "prioridad",
    "casos_nacionalidad": "persona__nacionalidad",
    "casos_sexo": "persona__sexo",
    "casos_nna": "persona__es_nna",
}


def conteos_mensuales(*, desde: date | None = None) -> Iterator[tuple[str, int, int, str, str, int]]:
    """Case counts per comuna, month of creation and dimension, by GROUP BY in the database:
    rows of ``(cut, año, mes, indicador, categoría, n)`` for the statistics' summary tables.
    Not scoped: statistics are computed for the whole country and suppressed on the way out."""
    base = Caso.objects.all()
    if desde is not None:
        base = base.filter(creado_en__date__gte=desde)
    base = base.annotate(mes_creacion=TruncMonth("creado_en"))
    for indicador, campo in DIMENSIONES_ESTADISTICAS.items():
        filas = base.values_list("comuna_id", "mes_creacion", campo).annotate(n=Count("pk")).order_by()
        for cut, mes, categoria, n in filas:
            if indicador == "casos_nna":
                categoria = "si" if categoria else "no"
            yield cut, mes.year, mes.month, indicador, str(categoria or ""), n
    vencidos = base.filter(vencido=True).values_list("comuna_id", "mes_creacion").annotate(n=Count("pk")).order_by()
    for cut, mes, n in vencidos:
        yield cut, mes.year, mes.month, "casos_vencidos", "vencidos", n
