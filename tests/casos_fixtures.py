"""Fast builders of cases for tests (ORM; the services are tested in test_casos_servicios.py)."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from casos.models import Caso, EstadoCaso, Mensaje, Persona, TipoCaso, TransicionCaso

_contador = {"n": 0}


def persona(
    municipal: Any, *, nombres: str = "Wislande", apellidos: str = "Joseph", nna: bool = False, **extra: Any
) -> Persona:
    _contador["n"] += 1
    return Persona.objects.create(
        comuna_id=municipal.municipalidad.comuna_id,
        nombres=nombres,
        apellidos=apellidos,
        tipo_documento=extra.pop("tipo_documento", "pasaporte"),
        numero_documento=extra.pop("numero_documento", f"HT-{_contador['n']:07d}"),
        documento_normalizado=extra.pop("documento_normalizado", f"HT{_contador['n']:07d}"),
        nacionalidad="HT",
        sexo="mujer",
        es_nna=nna,
        creada_por=municipal,
        **extra,
    )


def caso(
    municipal: Any,
    *,
    estado: EstadoCaso = EstadoCaso.BORRADOR,
    tipo: TipoCaso = TipoCaso.REGULARIZACION,
    asignado_a: Any = None,
    vencido: bool = False,
    sensible: bool | None = None,
    persona_obj: Persona | None = None,
    descripcion: str = "Necesita orientación para regularizar su situación migratoria.",
) -> Caso:
    """A case of ``municipal``'s comuna in ``estado`` (with consent when escalated)."""
    _contador["n"] += 1
    p = persona_obj or persona(municipal)
    ahora = timezone.now()
    comuna_id = municipal.municipalidad.comuna_id
    es_sensible = sensible if sensible is not None else tipo in ("nna", "violencia", "trata") or p.es_nna
    c = Caso.objects.create(
        folio=f"{comuna_id}-{ahora.year}-{900000 + _contador['n']:06d}",
        comuna_id=comuna_id,
        persona=p,
        tipo=tipo,
        prioridad="media",
        canal="presencial",
        descripcion=descripcion,
        sensible=es_sensible,
        consentimiento=estado != EstadoCaso.BORRADOR,
        consentimiento_fecha=ahora.date() if estado != EstadoCaso.BORRADOR else None,
        estado=estado,
        asignado_a=asignado_a,
        derivado_en=ahora if estado != EstadoCaso.BORRADOR else None,
        plazo=(ahora - timedelta(hours=1)) if vencido else (ahora + timedelta(days=5)),
        vencido=vencido,
        creado_por=municipal,
    )
    if estado != EstadoCaso.BORRADOR:
        TransicionCaso.objects.create(caso=c, desde="borrador", hasta="derivado", accion="derivar", usuario=municipal)
    return c


def mensaje(c: Caso, autor: Any, texto: str = "Hola", *, interno: bool = False) -> Mensaje:
    return Mensaje.objects.create(caso=c, autor=autor, texto=texto, interno=interno)
