"""The case workflow: one table of allowed transitions and who may make each."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from municipios.models import Rol
from municipios.scoping import puede_editar

from .models import Caso, EstadoCaso

E = EstadoCaso
SERMIG = frozenset({Rol.REGIONAL, Rol.NACIONAL})
MUNICIPIO = frozenset({Rol.MUNICIPAL})


@dataclass(frozen=True)
class TransicionCaso:
    accion: str
    desde: tuple[EstadoCaso, ...]
    hasta: EstadoCaso
    roles: frozenset[Rol | None]
    etiqueta: Any
    requiere_comentario: bool = False


TRANSICIONES: dict[str, TransicionCaso] = {
    t.accion: t
    for t in [
        TransicionCaso("derivar", (E.BORRADOR,), E.DERIVADO, MUNICIPIO, _("Derivar a SERMIG")),
        TransicionCaso("asignar", (E.DERIVADO, E.REABIERTO), E.EN_GESTION, SERMIG, _("Asignar y tomar el caso")),
        TransicionCaso(
            "solicitar_informacion",
            (E.EN_GESTION,),
            E.REQUIERE_INFORMACION,
            SERMIG,
            _("Solicitar información a la municipalidad"),
            requiere_comentario=True,
        ),
        TransicionCaso(
            "responder",
            (E.REQUIERE_INFORMACION,),
            E.EN_GESTION,
            MUNICIPIO,
            _("Responder la solicitud de información"),
            requiere_comentario=True,
        ),
        TransicionCaso("resolver", (E.EN_GESTION,), E.RESUELTO, SERMIG, _("Resolver"), requiere_comentario=True),
        TransicionCaso("cerrar", (E.RESUELTO,), E.CERRADO, MUNICIPIO | SERMIG, _("Cerrar")),
        TransicionCaso(
            "reabrir", (E.RESUELTO, E.CERRADO), E.REABIERTO, MUNICIPIO | SERMIG, _("Reabrir"), requiere_comentario=True
        ),
    ]
}


def puede(usuario: Any, caso: Caso, accion: str) -> bool:
    t = TRANSICIONES[accion]
    return caso.estado in t.desde and getattr(usuario, "rol", None) in t.roles and puede_editar(usuario, caso)


def acciones_disponibles(usuario: Any, caso: Caso) -> list[TransicionCaso]:
    return [t for t in TRANSICIONES.values() if puede(usuario, caso, t.accion)]
