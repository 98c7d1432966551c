"""Writes on municipalities. Every write is here: keyword-only, typed, atomic."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Municipalidad
from .scoping import puede_editar

OFICINA_CAMPOS = (
    "alcalde_nombre",
    "alcalde_tratamiento",
    "oficina_nombre",
    "oficina_dependencia",
    "oficina_direccion",
    "oficina_telefono",
    "oficina_email",
    "encargado_nombre",
    "encargado_email",
    "encargado_telefono",
)


class ConflictoDeVersion(Exception):
    """The record changed since the user loaded it (optimistic locking)."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Otra persona modificó estos datos mientras usted editaba. "
                "Revise la versión actual y vuelva a aplicar sus cambios."
            )
        )


@transaction.atomic
def municipalidad_actualizar_oficina(
    *, municipalidad: Municipalidad, usuario: Any, datos: dict[str, Any], version: int
) -> Municipalidad:
    """Update the Oficina de Migrantes and alcalde data of a municipality.

    Refuses users outside the territory and stale edits: ``version`` must be the version
    the user loaded, otherwise :class:`ConflictoDeVersion` is raised and nothing is written.
    """
    if not puede_editar(usuario, municipalidad):
        raise PermissionDenied(_("No puede editar esta municipalidad."))
    cambios = {campo: datos[campo] for campo in OFICINA_CAMPOS if campo in datos}
    bloqueada = Municipalidad.objects.select_for_update().get(pk=municipalidad.pk)
    if bloqueada.version != version:
        raise ConflictoDeVersion()
    for campo, valor in cambios.items():
        setattr(bloqueada, campo, valor)
    bloqueada.version += 1  # safe: the row is locked (select_for_update)
    bloqueada._change_reason = "Actualización de datos de la oficina"  # type: ignore[attr-defined]
    bloqueada.save()
    bloqueada.refresh_from_db()
    return bloqueada
