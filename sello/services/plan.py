"""The work plan: actions per line, submitted by the municipality, reviewed by regional staff."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from municipios.models import Rol
from municipios.scoping import puede_editar

from ..errores import ConflictoDeVersion, ErrorDeNegocio, SinPermiso, TransicionNoPermitida
from ..models import AccionPlan, EstadoPlan, EstadoSello, Linea, PlanTrabajo
from ..transiciones import transicionar
from .notificaciones import destinatarios_municipalidad, notificar

EDITABLE = (EstadoPlan.BORRADOR, EstadoPlan.OBSERVADO)


def _exigir_municipal(usuario: Any, plan: PlanTrabajo) -> None:
    if getattr(usuario, "rol", None) != Rol.MUNICIPAL or not puede_editar(usuario, plan):
        raise SinPermiso(_("Solo la municipalidad puede editar su plan de trabajo."))


def _bloquear_plan(plan: PlanTrabajo, version: int | None) -> PlanTrabajo:
    bloqueado = (
        PlanTrabajo.objects.select_for_update().select_related("adhesion__municipalidad__comuna").get(pk=plan.pk)
    )
    if version is not None and bloqueado.version != version:
        raise ConflictoDeVersion()
    return bloqueado


def _validar_accion(
    *, obligatoria: bool, no_aplica: bool, justificacion: str, fecha_inicio: date | None, fecha_termino: date | None
) -> None:
    if no_aplica and obligatoria:
        raise ErrorDeNegocio(_("Una acción obligatoria no puede marcarse «no aplica»."))
    if no_aplica and not justificacion.strip():
        raise ErrorDeNegocio(_("Indique por qué la acción no aplica a su comuna."))
    if fecha_inicio and fecha_termino and fecha_termino < fecha_inicio:
        raise ErrorDeNegocio(_("La fecha de término no puede ser anterior a la de inicio."))


@transaction.atomic
def accion_actualizar(
    *,
    accion: AccionPlan,
    usuario: Any,
    unidad_responsable: str,
    fecha_inicio: date | None,
    fecha_termino: date | None,
    indicador: str,
    meta: str,
    no_aplica: bool = False,
    justificacion_no_aplica: str = "",
) -> AccionPlan:
    """Fill in an action of a plan that is still being drafted or was observed."""
    plan = _bloquear_plan(accion.plan, None)
    _exigir_municipal(usuario, plan)
    if plan.estado not in EDITABLE:
        raise TransicionNoPermitida(_("El plan ya fue enviado o aprobado: no se puede modificar."))
    _validar_accion(
        obligatoria=accion.obligatoria,
        no_aplica=no_aplica,
        justificacion=justificacion_no_aplica,
        fecha_inicio=fecha_inicio,
        fecha_termino=fecha_termino,
    )
    accion.unidad_responsable = unidad_responsable
    accion.fecha_inicio = fecha_inicio
    accion.fecha_termino = fecha_termino
    accion.indicador = indicador
    accion.meta = meta
    accion.no_aplica = no_aplica
    accion.justificacion_no_aplica = justificacion_no_aplica if no_aplica else ""
    accion.save()
    plan.version += 1
    plan.save(update_fields=["version"])
    return accion


@transaction.atomic
def accion_agregar(
    *,
    plan: PlanTrabajo,
    usuario: Any,
    linea: int,
    nombre: str,
    unidad_responsable: str,
    fecha_inicio: date | None,
    fecha_termino: date | None,
    indicador: str,
    meta: str,
) -> AccionPlan:
    """Add an action of the municipality's own to a line of its plan."""
    plan = _bloquear_plan(plan, None)
    _exigir_municipal(usuario, plan)
    if plan.estado not in EDITABLE:
        raise TransicionNoPermitida(_("El plan ya fue enviado o aprobado: no se puede modificar."))
    if linea not in Linea.values:
        raise ErrorDeNegocio(_("Línea de acción inválida."))
    if not nombre.strip():
        raise ErrorDeNegocio(_("Indique el nombre de la acción."))
    _validar_accion(
        obligatoria=False, no_aplica=False, justificacion="", fecha_inicio=fecha_inicio, fecha_termino=fecha_termino
    )
    accion = AccionPlan.objects.create(
        plan=plan,
        linea=linea,
        nombre=nombre.strip(),
        unidad_responsable=unidad_responsable,
        fecha_inicio=fecha_inicio,
        fecha_termino=fecha_termino,
        indicador=indicador,
        meta=meta,
        orden=1000,
    )
    plan.version += 1
    plan.save(update_fields=["version"])
    return accion


def faltantes_del_plan(plan: PlanTrabajo) -> list[str]:
    faltan = []
    for accion in plan.acciones.all():
        if accion.no_aplica:
            continue
        campos = [
            (accion.unidad_responsable, _("unidad responsable")),
            (accion.fecha_inicio, _("fecha de inicio")),
            (accion.fecha_termino, _("fecha de término")),
            (accion.indicador, _("indicador")),
            (accion.meta, _("meta")),
        ]
        vacios = [str(nombre) for valor, nombre in campos if not valor]
        if vacios:
            faltan.append(_("«%(accion)s»: falta %(campos)s.") % {"accion": accion.nombre, "campos": ", ".join(vacios)})
    return faltan


@transaction.atomic
def plan_enviar(*, plan: PlanTrabajo, usuario: Any, version: int) -> PlanTrabajo:
    """Submit the plan for regional review once every applicable action is complete."""
    plan = _bloquear_plan(plan, version)
    _exigir_municipal(usuario, plan)
    if plan.estado not in EDITABLE or plan.adhesion.estado != EstadoSello.PLAN_EN_ELABORACION:
        raise TransicionNoPermitida(_("El plan no está en elaboración."))
    faltan = faltantes_del_plan(plan)
    if faltan:
        raise ErrorDeNegocio(_("El plan está incompleto. ") + " ".join(faltan[:5]))
    plan.estado = EstadoPlan.ENVIADO
    plan.enviado_en = timezone.now()
    plan.version += 1
    plan.save()
    return plan


@transaction.atomic
def plan_revisar(*, plan: PlanTrabajo, usuario: Any, aprobar: bool, comentario: str, version: int) -> PlanTrabajo:
    """Regional staff approve the plan (the seal moves to "plan aprobado") or observe it."""
    plan = _bloquear_plan(plan, version)
    if getattr(usuario, "rol", None) != Rol.REGIONAL or not puede_editar(usuario, plan):
        raise SinPermiso(_("Solo el equipo regional revisa los planes de trabajo."))
    if plan.estado != EstadoPlan.ENVIADO:
        raise TransicionNoPermitida(_("El plan no está enviado a revisión."))
    if not aprobar and not comentario.strip():
        raise ErrorDeNegocio(_("Indique las observaciones al plan."))
    plan.estado = EstadoPlan.APROBADO if aprobar else EstadoPlan.OBSERVADO
    plan.revisado_en = timezone.now()
    plan.revisado_por = usuario
    plan.comentario_revision = comentario
    plan.version += 1
    plan.save()
    if aprobar:
        transicionar(adhesion=plan.adhesion, accion="aprobar_plan", usuario=usuario, comentario=comentario)
    municipalidad = plan.adhesion.municipalidad
    notificar(
        usuarios=[u for u in destinatarios_municipalidad(municipalidad) if u.rol == Rol.MUNICIPAL],
        titulo=_("Plan de trabajo aprobado") if aprobar else _("Plan de trabajo observado"),
        cuerpo=comentario,
        url=f"/sello/{plan.adhesion.uuid}/",
    )
    return plan
