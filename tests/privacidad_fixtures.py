"""A person with everything the platform can hold about her (for the data-protection tests):
unique strings, so that a search of the whole database finds every copy of her data."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from casos.models import Caso, EstadoCaso, Mensaje, Persona, TipoCaso, TransicionCaso
from sello.models import Archivo

from .casos_fixtures import caso, mensaje, persona
from .sello_fixtures import archivo_pdf

NOMBRES = "Wislandita"
APELLIDOS = "Zedeñoverde"
DOCUMENTO = "PX-7788991"
NORMALIZADO = "PX7788991"
TELEFONO = "+56 9 7123 4567"
EMAIL = "wislandita.z@example.org"
NACIMIENTO = date(1990, 4, 17)
SOLICITUD = "SOL-5566778"
ADJUNTO = "informe-wislandita.pdf"
# Every string of her personal data, as stored anywhere.
SUS_DATOS = (NOMBRES, APELLIDOS, DOCUMENTO, NORMALIZADO, TELEFONO, EMAIL, SOLICITUD, "wislandita")

OTRA = "Otrania"


@dataclass
class Titular:
    persona: Persona
    cerrado: Caso
    borrador: Caso
    adjunto: Archivo


def titular(municipal: Any, regional: Any) -> Titular:
    """Her, with a closed gender-violence case (sensitive; a closing comment, a resolution,
    a message, an internal note, an attached file) and a draft; and her data rectified once
    (a history row with the old phone number)."""
    p = persona(
        municipal,
        nombres=NOMBRES,
        apellidos=APELLIDOS,
        numero_documento=DOCUMENTO,
        documento_normalizado=NORMALIZADO,
        telefono="+56 9 0000 0000",
        email=EMAIL,
        fecha_nacimiento=NACIMIENTO,
    )
    p.telefono = TELEFONO
    p.save()
    cerrado = caso(
        municipal,
        estado=EstadoCaso.CERRADO,
        tipo=TipoCaso.VIOLENCIA,
        asignado_a=regional,
        persona_obj=p,
        descripcion=f"Relato de {NOMBRES} {APELLIDOS}: violencia de pareja.",
    )
    cerrado.resolucion = f"Orientada {NOMBRES}; derivada a la red de apoyo."
    cerrado.numero_solicitud_sermig = SOLICITUD
    cerrado.save()
    TransicionCaso.objects.create(
        caso=cerrado, desde="resuelto", hasta="cerrado", accion="cerrar", usuario=regional, comentario=f"{NOMBRES} ok"
    )
    mensaje(cerrado, municipal, f"Antecedentes de {NOMBRES}, teléfono {TELEFONO}")
    mensaje(cerrado, regional, f"Nota interna: {APELLIDOS} pidió reserva", interno=True)
    adjunto = archivo_pdf(municipal, nombre=ADJUNTO)
    Mensaje.objects.create(caso=cerrado, autor=municipal, texto=f"Informe de {NOMBRES}", adjunto=adjunto)
    borrador = caso(municipal, persona_obj=p, descripcion=f"Borrador: {NOMBRES} consulta por su hija.")
    return Titular(persona=p, cerrado=cerrado, borrador=borrador, adjunto=adjunto)


def otra_persona(municipal: Any) -> Persona:
    """Another person of the same comuna, with her own case and message."""
    p = persona(municipal, nombres=OTRA, apellidos="Distintez", email="otrania@example.org")
    mensaje(caso(municipal, estado=EstadoCaso.CERRADO, persona_obj=p, descripcion=f"Caso de {OTRA}"), municipal, OTRA)
    return p
