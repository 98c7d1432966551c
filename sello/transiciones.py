"""The seal's state machine: the one table of allowed transitions and who may make each.

"Nobody jumps states": a transition is allowed only from the states listed, by the roles
listed, inside the user's territory (``municipios.scoping``). ``None`` in ``roles`` marks
transitions the system makes (the expiry task).
"""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from municipios.models import Rol
from municipios.scoping import puede_editar

from .errores import ConflictoDeVersion, SinPermiso, TransicionNoPermitida
from .models import Adhesion, EstadoSello, TransicionSello

E = EstadoSello


@dataclass(frozen=True)
class Transicion:
    accion: str
    desde: tuple[EstadoSello, ...]
    hasta: EstadoSello
    roles: frozenset[Rol | None]
    etiqueta: Any


TRANSICIONES: dict[str, Transicion] = {
    t.accion: t
    for t in [
        Transicion(
            "adherir", (E.INTERESADA,), E.ADHERIDA, frozenset({Rol.MUNICIPAL}), gettext_lazy("Registrar adhesión")
        ),
        Transicion(
            "iniciar_plan",
            (E.ADHERIDA,),
            E.PLAN_EN_ELABORACION,
            frozenset({Rol.MUNICIPAL}),
            gettext_lazy("Iniciar plan de trabajo"),
        ),
        Transicion(
            "aprobar_plan",
            (E.PLAN_EN_ELABORACION,),
            E.PLAN_APROBADO,
            frozenset({Rol.REGIONAL}),
            gettext_lazy("Aprobar plan de trabajo"),
        ),
        Transicion(
            "iniciar_implementacion",
            (E.PLAN_APROBADO,),
            E.EN_IMPLEMENTACION,
            frozenset({Rol.MUNICIPAL}),
            gettext_lazy("Iniciar implementación"),
        ),
        Transicion(
            "solicitar_evaluacion",
            (E.EN_IMPLEMENTACION,),
            E.EVALUACION_SOLICITADA,
            frozenset({Rol.MUNICIPAL}),
            gettext_lazy("Solicitar evaluación"),
        ),
        Transicion(
            "iniciar_evaluacion",
            (E.EVALUACION_SOLICITADA,),
            E.EN_EVALUACION,
            frozenset({Rol.NACIONAL}),
            gettext_lazy("Asignar evaluadores e iniciar evaluación"),
        ),
        Transicion(
            "otorgar", (E.EN_EVALUACION,), E.CERTIFICADA, frozenset({Rol.NACIONAL}), gettext_lazy("Otorgar el sello")
        ),
        Transicion(
            "observar",
            (E.EN_EVALUACION,),
            E.EN_IMPLEMENTACION,
            frozenset({Rol.NACIONAL}),
            gettext_lazy("Observar (vuelve a implementación)"),
        ),
        Transicion(
            "rechazar",
            (E.EN_EVALUACION,),
            E.EN_IMPLEMENTACION,
            frozenset({Rol.NACIONAL}),
            gettext_lazy("Rechazar (vuelve a implementación)"),
        ),
        Transicion(
            "abrir_revalidacion",
            (E.CERTIFICADA,),
            E.REVALIDACION_PENDIENTE,
            frozenset({Rol.NACIONAL, None}),
            gettext_lazy("Abrir revalidación"),
        ),
        Transicion(
            "revalidar", (E.REVALIDACION_PENDIENTE,), E.REVALIDADA, frozenset({None}), gettext_lazy("Revalidar")
        ),
        Transicion(
            "vencer",
            (E.CERTIFICADA, E.REVALIDACION_PENDIENTE),
            E.VENCIDA,
            frozenset({None}),
            gettext_lazy("Vencer"),
        ),
        Transicion(
            "retirar",
            (
                E.INTERESADA,
                E.ADHERIDA,
                E.PLAN_EN_ELABORACION,
                E.PLAN_APROBADO,
                E.EN_IMPLEMENTACION,
                E.EVALUACION_SOLICITADA,
                E.EN_EVALUACION,
                E.CERTIFICADA,
                E.REVALIDACION_PENDIENTE,
            ),
            E.RETIRADA,
            frozenset({Rol.NACIONAL}),
            gettext_lazy("Retirar"),
        ),
    ]
}


def puede(usuario: Any, adhesion: Adhesion, accion: str) -> bool:
    """Whether ``usuario`` may make ``accion`` on ``adhesion`` now (for showing buttons)."""
    t = TRANSICIONES[accion]
    if adhesion.estado not in t.desde:
        return False
    rol = getattr(usuario, "rol", None)
    return rol in t.roles and puede_editar(usuario, adhesion)


def acciones_disponibles(usuario: Any, adhesion: Adhesion) -> list[Transicion]:
    return [t for t in TRANSICIONES.values() if puede(usuario, adhesion, t.accion)]


def bloquear(adhesion: Adhesion, version: int | None) -> Adhesion:
    """Lock the adhesion's row; refuse a stale ``version`` (optimistic locking)."""
    bloqueada = Adhesion.objects.select_for_update().select_related("municipalidad__comuna").get(pk=adhesion.pk)
    if version is not None and bloqueada.version != version:
        raise ConflictoDeVersion()
    return bloqueada


@transaction.atomic
def transicionar(
    *,
    adhesion: Adhesion,
    accion: str,
    usuario: Any,
    comentario: str = "",
    version: int | None = None,
    campos: dict[str, Any] | None = None,
) -> Adhesion:
    """Make ``accion`` on ``adhesion``, log it, bump its version. ``usuario=None`` = system.

    ``campos`` are written in the same UPDATE (e.g. the validity dates that must accompany
    "certificada", enforced by a database constraint)."""
    t = TRANSICIONES.get(accion)
    if t is None:
        raise TransicionNoPermitida(_("Acción desconocida."))
    bloqueada = bloquear(adhesion, None)
    # Who may act is decided before anything else: a person without the role gets a 403 even
    # with a stale version, and learns nothing about the record's state.
    if usuario is None:
        if None not in t.roles:
            raise SinPermiso(_("Esta acción requiere un usuario."))
    elif getattr(usuario, "rol", None) not in t.roles or not puede_editar(usuario, bloqueada):
        raise SinPermiso(_("Su rol no permite «%(accion)s» en esta municipalidad.") % {"accion": t.etiqueta})
    if version is not None and bloqueada.version != version:
        raise ConflictoDeVersion()
    if bloqueada.estado not in t.desde:
        raise TransicionNoPermitida(
            _("No se puede «%(accion)s» cuando el sello está «%(estado)s».")
            % {"accion": t.etiqueta, "estado": bloqueada.get_estado_display()}
        )
    desde = bloqueada.estado
    bloqueada.estado = t.hasta
    bloqueada.version += 1
    for campo, valor in (campos or {}).items():
        setattr(bloqueada, campo, valor)
    bloqueada.save(update_fields=["estado", "version", "actualizada_en", *(campos or {})])
    TransicionSello.objects.create(
        adhesion=bloqueada, desde=desde, hasta=t.hasta, accion=accion, usuario=usuario, comentario=comentario
    )
    adhesion.estado, adhesion.version = bloqueada.estado, bloqueada.version
    return bloqueada
