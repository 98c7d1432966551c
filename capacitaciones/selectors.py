"""Reads of trainings, operativos and good practices; what they contribute to the seal."""

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Avg, Count, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncMonth

from municipios.models import Municipalidad
from municipios.scoping import scoped

from .models import (
    ASISTIO,
    Asistencia,
    BuenaPractica,
    Capacitacion,
    CertificadoCapacitacion,
    DispositivoTerritorial,
    Encuesta,
    EstadoInscripcion,
    EstadoPractica,
    Inscripcion,
    Organizador,
    TipoDispositivo,
)


def capacitaciones_visibles(*, usuario: Any) -> QuerySet[Capacitacion]:
    """Trainings the user may see, with session and registration counts (no N+1)."""
    return scoped(
        usuario, Capacitacion.objects.select_related("region", "municipalidad_organizadora__comuna")
    ).annotate(
        n_sesiones=Count("sesiones", distinct=True),
        n_inscritas=Count("inscripciones", filter=Q(inscripciones__estado=EstadoInscripcion.INSCRITA), distinct=True),
        n_espera=Count("inscripciones", filter=Q(inscripciones__estado=EstadoInscripcion.LISTA_ESPERA), distinct=True),
    )


def resultados_encuesta(*, capacitacion: Capacitacion) -> dict[str, Any]:
    """Averages (1-5) of the satisfaction survey of a training and how many answered."""
    datos = Encuesta.objects.filter(inscripcion__capacitacion=capacitacion).aggregate(
        respuestas=Count("pk"),
        general=Avg("general"),
        contenidos=Avg("contenidos"),
        relatores=Avg("relatores"),
        utilidad=Avg("utilidad"),
    )
    return {k: (round(Decimal(v), 1) if v is not None and k != "respuestas" else v) for k, v in datos.items()}


def funcionarios_capacitados(*, municipalidad: Municipalidad) -> int:
    """Distinct staff of the municipality with a valid training certificate."""
    return (
        CertificadoCapacitacion.objects.filter(inscripcion__municipalidad=municipalidad, revocado_en__isnull=True)
        .values("inscripcion__email")
        .distinct()
        .count()
    )


def acciones_cumplidas_por_plataforma(*, municipalidad: Municipalidad) -> dict[str, str]:
    """Catalogue actions the platform itself proves for the seal, with the reason shown.

    - 2.2: a training organised by the municipality with recorded attendance;
    - 2.3: municipal staff certified in a SERMIG training;
    - 4.1: an operativo "Migraciones en tu barrio" in the comuna.
    """
    cumplidas: dict[str, str] = {}
    organizadas = (
        Capacitacion.objects.filter(
            municipalidad_organizadora=municipalidad,
            sesiones__asistencias__estado__in=ASISTIO,
        )
        .distinct()
        .count()
    )
    if organizadas:
        cumplidas["2.2"] = f"{organizadas} capacitación(es) municipal(es) con asistencia registrada en la plataforma"
    sermig = (
        CertificadoCapacitacion.objects.filter(
            inscripcion__municipalidad=municipalidad,
            revocado_en__isnull=True,
            inscripcion__capacitacion__organizador__in=[Organizador.SERMIG_NACIONAL, Organizador.SERMIG_REGIONAL],
        )
        .values("inscripcion__email")
        .distinct()
        .count()
    )
    if sermig:
        cumplidas["2.3"] = f"{sermig} funcionario(s) certificado(s) en capacitaciones del SERMIG"
    operativos = DispositivoTerritorial.objects.filter(
        comuna_id=municipalidad.comuna_id, tipo=TipoDispositivo.BARRIO
    ).count()
    if operativos:
        cumplidas["4.1"] = f"{operativos} operativo(s) «Migraciones en tu barrio» registrado(s) en la plataforma"
    return cumplidas


def dispositivos_visibles(*, usuario: Any) -> QuerySet[DispositivoTerritorial]:
    return scoped(usuario, DispositivoTerritorial.objects.select_related("comuna__region"))


def buenas_practicas_publicadas(*, texto: str = "") -> QuerySet[BuenaPractica]:
    """Published practices (visible to every logged-in user), with full-text search on PostgreSQL
    (Spanish configuration) and a plain substring search elsewhere."""
    qs = BuenaPractica.objects.filter(estado=EstadoPractica.PUBLICADA).select_related("comuna__region")
    texto = texto.strip()
    if not texto:
        return qs
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = (
            SearchVector("nombre", weight="A", config="spanish")
            + SearchVector("descripcion", "objetivos", weight="B", config="spanish")
            + SearchVector("actividades", "resultados", "responsable", weight="C", config="spanish")
        )
        consulta = SearchQuery(texto, config="spanish", search_type="websearch")
        # Match with @@ (every term, as typed); ts_rank alone is > 0 for partial matches too.
        return (
            qs.annotate(documento=vector, rango=SearchRank(vector, consulta))
            .filter(documento=consulta)
            .order_by("-rango", "-publicada_en")
        )
    # Elsewhere (SQLite, the embedded default): every word must appear in some field.
    campos = ("nombre", "descripcion", "objetivos", "actividades", "resultados", "responsable")
    for palabra in texto.split()[:10]:
        condicion = Q()
        for campo in campos:
            condicion |= Q(**{f"{campo}__icontains": palabra})
        qs = qs.filter(condicion)
    return qs


def conteos_mensuales(*, desde: date | None = None) -> Iterator[tuple[str, int, int, str, str, int]]:
    """Training and operativo figures per comuna and month, by GROUP BY in the database: rows
    of ``(cut, año, mes, indicador, categoría, n)`` for the statistics' summary tables.

    A training counts for every municipality with participants, in the month of its first
    session; people trained are participants who attended at least one session; attendance
    marks count in the month of their session; operativos in the month they took place."""
    capacitaciones = Capacitacion.objects.annotate(primera=Min("sesiones__inicio"))
    if desde is not None:
        capacitaciones = capacitaciones.filter(primera__date__gte=desde)
    inscripciones = (
        Inscripcion.objects.filter(municipalidad__isnull=False, capacitacion__in=capacitaciones.values("pk"))
        .annotate(mes=TruncMonth(Subquery(capacitaciones.filter(pk=OuterRef("capacitacion_id")).values("primera")[:1])))
        .filter(mes__isnull=False)
        .order_by()
    )
    for cut, mes, organizador, n in inscripciones.values_list(
        "municipalidad__comuna_id", "mes", "capacitacion__organizador"
    ).annotate(n=Count("capacitacion_id", distinct=True)):
        yield cut, mes.year, mes.month, "capacitaciones", organizador, n
    for cut, mes, n in (
        inscripciones.filter(asistencias__estado__in=ASISTIO)
        .values_list("municipalidad__comuna_id", "mes")
        .annotate(n=Count("pk", distinct=True))
    ):
        yield cut, mes.year, mes.month, "personas_capacitadas", "personas", n
    asistencias = Asistencia.objects.filter(inscripcion__municipalidad__isnull=False)
    if desde is not None:
        asistencias = asistencias.filter(sesion__inicio__date__gte=desde)
    for cut, mes, estado, n in (
        asistencias.annotate(mes=TruncMonth("sesion__inicio"))
        .values_list("inscripcion__municipalidad__comuna_id", "mes", "estado")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        yield cut, mes.year, mes.month, "asistencias", estado, n
    operativos = DispositivoTerritorial.objects.all()
    if desde is not None:
        operativos = operativos.filter(fecha__gte=desde)
    por_mes = operativos.annotate(mes=TruncMonth("fecha"))
    for cut, mes, tipo, n in por_mes.values_list("comuna_id", "mes", "tipo").annotate(n=Count("pk")).order_by():
        yield cut, mes.year, mes.month, "operativos", tipo, n
    # People attended per comuna and month, whatever the operativo's type (one row per sex).
    for cut, mes, mujeres, hombres, otros in (
        por_mes.values_list("comuna_id", "mes").annotate(m=Sum("mujeres"), h=Sum("hombres"), o=Sum("otros")).order_by()
    ):
        for categoria, valor in (("mujeres", mujeres), ("hombres", hombres), ("otros", otros)):
            if valor:
                yield cut, mes.year, mes.month, "atenciones_operativos", categoria, valor
