"""Reads of trainings, operativos and good practices; what they contribute to the seal."""

from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Avg, Count, Q, QuerySet

from municipios.models import Municipalidad
from municipios.scoping import scoped

from .models import (
    ASISTIO,
    BuenaPractica,
    Capacitacion,
    CertificadoCapacitacion,
    DispositivoTerritorial,
    Encuesta,
    EstadoInscripcion,
    EstadoPractica,
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
