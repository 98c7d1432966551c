"""Reads of cases, always scoped; masking of sensitive names for lists, search and exports."""

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from municipios.models import Rol
from municipios.scoping import scoped

from .documentos import enmascarar
from .models import Caso, EstadoCaso, Mensaje, Persona, Prioridad, TipoCaso
from .privacidad import ocultar_bloqueadas


def casos_visibles(*, usuario: Any) -> QuerySet[Caso]:
    """Cases in the user's territory (the Comité Evaluador sees none), with what lists show."""
    return ocultar_bloqueadas(
        usuario, scoped(usuario, Caso.objects.select_related("comuna__region", "persona", "asignado_a"))
    )


# The columns a list row shows (API list): the wide text columns (description, resolution) and
# the related rows' other columns (the users' passwords, the región) stay in the database.
COLUMNAS_LISTA = (
    "uuid",
    "folio",
    "tipo",
    "subtipo",
    "prioridad",
    "canal",
    "estado",
    "sensible",
    "derivado_en",
    "plazo",
    "vencido",
    "creado_en",
    "actualizado_en",
    "version",
    "comuna__nombre",
    "comuna__region_id",
    "persona__nombres",
    "persona__apellidos",
    "persona__tipo_documento",
    "persona__documento_normalizado",
    "persona__es_nna",
    "asignado_a__first_name",
    "asignado_a__last_name",
    "asignado_a__username",
)


def casos_para_listar(*, usuario: Any) -> QuerySet[Caso]:
    """:func:`casos_visibles` with only the list's columns (read-only rows: never saved)."""
    qs = scoped(usuario, Caso.objects.select_related("comuna", "persona", "asignado_a").only(*COLUMNAS_LISTA))
    return ocultar_bloqueadas(usuario, qs)


# A list row as a dict: the list's columns plus the keys the cursor and the row need.
CAMPOS_FILA = ("pk", "comuna_id", *COLUMNAS_LISTA)


def filas(qs: QuerySet[Caso]) -> "QuerySet[Caso, dict[str, Any]]":
    """The rows of a (filtered) :func:`casos_para_listar` as dicts, in the same query: a page
    of 50 built four model instances a row (case, person, comuna, assignee), which cost the API
    more than the query itself (issue 7)."""
    return qs.values(*CAMPOS_FILA)


def etiquetas_de_casos() -> dict[str, dict[str, str]]:
    """The labels of the list pages' choice columns, translated once per page:
    ``get_FOO_display`` on every row of 50 cost more than the page's queries (issue 7)."""
    return {
        campo: {str(valor): str(etiqueta) for valor, etiqueta in opciones.choices}
        for campo, opciones in (("tipo", TipoCaso), ("prioridad", Prioridad), ("estado", EstadoCaso))
    }


def nombre_visible_de(*, sensible: bool, nombres: str, apellidos: str, revelar: bool = False) -> str:
    """:func:`nombre_visible` from the columns themselves (list rows read as dicts)."""
    if sensible and not revelar:
        iniciales = " ".join(f"{p[0]}." for p in f"{nombres} {apellidos}".split() if p)
        return iniciales or "•••"
    return f"{nombres} {apellidos}".strip()


# Below this the exact count is cheap, and the estimate of a small table can be far off.
ESTIMAR_DESDE = 10_000


def total_estimado(*, usuario: Any) -> int | None:
    """The total of a national officer's unfiltered case list without counting it: the
    planner's row estimate of the table (``pg_class.reltuples``, kept current by autovacuum's
    ANALYZE) once the table is big — a COUNT(*) of a million cases took most of a second on
    every page view (issue 7). None otherwise: count exactly (other roles' lists are bounded by
    their territory)."""
    if getattr(usuario, "rol", None) != Rol.NACIONAL or connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [Caso._meta.db_table])
        fila = cursor.fetchone()
    estimado = int(fila[0]) if fila else -1
    return estimado if estimado >= ESTIMAR_DESDE else None


COLA = (EstadoCaso.DERIVADO, EstadoCaso.EN_GESTION, EstadoCaso.REQUIERE_INFORMACION, EstadoCaso.REABIERTO)


def en_cola(qs: QuerySet[Caso]) -> QuerySet[Caso]:
    """The cases of ``qs`` the regional queue holds: open escalated ones."""
    return qs.filter(estado__in=COLA)


def cola_regional(*, usuario: Any) -> QuerySet[Caso]:
    """The regional queue: open escalated cases, unassigned first, overdue next, oldest first."""
    return (
        en_cola(casos_visibles(usuario=usuario))
        .annotate(
            sin_asignar=Case(
                When(asignado_a__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("sin_asignar", "-vencido", "plazo", "pk")
    )


def contar_visibles(*, usuario: Any, filtrar: Callable[[QuerySet[Caso]], QuerySet[Caso]]) -> int:
    """How many cases of the user's territory, filtered by ``filtrar``, the user may see — the
    count of ``filtrar(casos_visibles(usuario=usuario))`` — in one statement: all of them minus
    those of blocked people (hidden by ``privacidad.ocultar_bloqueadas`` from all but national
    staff). Two index counts instead of joining every case with its person: on the Región
    Metropolitana's 600,000 cases, 0.38 s → 0.04 s per page view (issue 7)."""
    todos = filtrar(scoped(usuario, Caso.objects.all())).order_by().values("pk")
    if getattr(usuario, "rol", None) == Rol.NACIONAL:
        return todos.count()
    sql_todos, params_todos = todos.query.sql_with_params()
    sql_ocultos, params_ocultos = todos.filter(persona__bloqueada=True).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            # Both statements are the ORM's own, with their parameters passed separately.
            f"SELECT (SELECT COUNT(*) FROM ({sql_todos}) t) - (SELECT COUNT(*) FROM ({sql_ocultos}) o)",  # noqa: S608
            [*params_todos, *params_ocultos],
        )
        fila = cursor.fetchone()
    return int(fila[0]) if fila else 0


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
    return ocultar_bloqueadas(usuario, scoped(usuario, Persona.objects.all())).filter(documento_normalizado=normalizado)


def nombre_visible(caso: Caso, *, revelar: bool = False) -> str:
    """The person's name as lists, search results and exports show it: masked (initials) for
    sensitive cases unless the case itself is opened (``revelar``)."""
    persona = caso.persona
    return nombre_visible_de(
        sensible=caso.sensible, nombres=persona.nombres, apellidos=persona.apellidos, revelar=revelar
    )


def documento_visible(caso: Caso, *, revelar: bool = False) -> str:
    """Document numbers are masked everywhere but on the opened case."""
    return documento_visible_de(caso.persona.documento_normalizado, revelar=revelar)


def documento_visible_de(normalizado: str, *, revelar: bool = False) -> str:
    """:func:`documento_visible` from the column itself (list rows read as dicts)."""
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
