"""Fast builders of trainings for tests (ORM)."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from capacitaciones.models import (
    Asistencia,
    BuenaPractica,
    Capacitacion,
    DispositivoTerritorial,
    EstadoInscripcion,
    EstadoPractica,
    Inscripcion,
    Invitacion,
    Organizador,
    Sesion,
)
from municipios.models import Municipalidad


def capacitacion(
    organiza: Any,
    *,
    invitadas: list[Municipalidad] = (),  # type: ignore[assignment]
    titulo: str = "Regularización migratoria para equipos municipales",
    cupo: int = 30,
    sesiones_pasadas: int = 2,
    sesiones_futuras: int = 0,
) -> Capacitacion:
    """A training organised by ``organiza``'s institution (municipal, regional or national user)."""
    rol = organiza.rol
    cap = Capacitacion.objects.create(
        titulo=titulo,
        tema="regularizacion",
        modalidad="presencial",
        organizador={"municipal": Organizador.MUNICIPALIDAD, "regional": Organizador.SERMIG_REGIONAL}.get(
            rol, Organizador.SERMIG_NACIONAL
        ),
        region_id=organiza.region_id if rol == "regional" else None,
        municipalidad_organizadora=organiza.municipalidad if rol == "municipal" else None,
        audiencias=["dideco", "omil"],
        cupo=cupo,
        horas=Decimal("6.0"),
        creada_por=organiza,
    )
    todas = list(invitadas) + ([organiza.municipalidad] if rol == "municipal" else [])
    Invitacion.objects.bulk_create(
        Invitacion(capacitacion=cap, municipalidad=m) for m in {m.pk: m for m in todas}.values()
    )
    ahora = timezone.now()
    for i in range(sesiones_pasadas):
        inicio = ahora - timedelta(days=10 - i)
        Sesion.objects.create(capacitacion=cap, inicio=inicio, fin=inicio + timedelta(hours=3), lugar="Salón municipal")
    for i in range(sesiones_futuras):
        inicio = ahora + timedelta(days=10 + i)
        Sesion.objects.create(capacitacion=cap, inicio=inicio, fin=inicio + timedelta(hours=3), lugar="Salón municipal")
    return cap


def inscripcion(
    cap: Capacitacion, nombre: str, email: str, *, municipalidad: Municipalidad | None = None, estado: str = "inscrita"
) -> Inscripcion:
    return Inscripcion.objects.create(
        capacitacion=cap,
        nombre=nombre,
        email=email,
        institucion="Municipalidad",
        unidad="DIDECO",
        municipalidad=municipalidad,
        estado=estado or EstadoInscripcion.INSCRITA,
    )


def asistir(cap: Capacitacion, inscrita: Inscripcion, marcada_por: Any, estado: str = "presente") -> None:
    for sesion in cap.sesiones.filter(inicio__lte=timezone.now()):
        Asistencia.objects.update_or_create(
            sesion=sesion, inscripcion=inscrita, defaults={"estado": estado, "marcada_por": marcada_por}
        )


def dispositivo(registra: Any, comuna_id: str, **extra: Any) -> DispositivoTerritorial:
    datos = {
        "tipo": "migraciones_en_tu_barrio",
        "fecha": timezone.localdate() - timedelta(days=5),
        "lugar": "Plaza de armas",
        "servicios": ["orientacion", "regularizacion"],
        "instituciones": "SERMIG, Registro Civil",
        "mujeres": 40,
        "hombres": 35,
        "otros": 1,
        "nna": 12,
        "mayores_60": 4,
    }
    datos.update(extra)
    return DispositivoTerritorial.objects.create(comuna_id=comuna_id, registrado_por=registra, **datos)


def practica(enviada_por: Any, comuna_id: str, *, nombre: str, estado: str = EstadoPractica.PUBLICADA) -> BuenaPractica:
    return BuenaPractica.objects.create(
        comuna_id=comuna_id,
        nombre=nombre,
        anio_inicio=2016,
        responsable="Oficina de Migrantes y Refugiados",
        descripcion="Proceso participativo con personas migrantes y refugiadas de la comuna.",
        objetivos="Conocer las necesidades de la población migrante.",
        actividades="Mesas territoriales, votación, informe.",
        lineas=[5],
        estado=estado,
        enviada_por=enviada_por,
        publicada_en=timezone.now() if estado == EstadoPractica.PUBLICADA else None,
    )
