"""Adhesion: interest, the signed commitment, the work plan's start, and the catalogue."""

from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from municipios.models import Municipalidad, Rol
from municipios.scoping import puede_editar

from .. import archivos
from ..errores import ErrorDeNegocio, SinPermiso
from ..models import (
    ESTADOS_CERRADOS,
    AccionPlan,
    Adhesion,
    CatalogoVersion,
    EstadoPlan,
    PlanTrabajo,
    ReglaPuntaje,
)
from ..transiciones import bloquear, transicionar


def catalogo_vigente() -> CatalogoVersion:
    catalogo = CatalogoVersion.objects.filter(publicada_en__isnull=False).order_by("-publicada_en").first()
    if catalogo is None:
        raise ErrorDeNegocio(_("No hay un catálogo de acciones publicado."))
    return catalogo


def regla_vigente() -> ReglaPuntaje:
    regla = ReglaPuntaje.objects.filter(publicada_en__isnull=False).order_by("-version").first()
    if regla is None:
        raise ErrorDeNegocio(_("No hay una regla de puntaje publicada."))
    return regla


@transaction.atomic
def adhesion_crear(*, municipalidad: Municipalidad, usuario: Any) -> Adhesion:
    """Register a municipality's interest in the seal (cycle 1, state "interesada")."""
    if not puede_editar(usuario, municipalidad) or usuario.rol == Rol.EVALUADOR:
        raise SinPermiso(_("No puede registrar el interés de esta municipalidad."))
    if Adhesion.objects.filter(municipalidad=municipalidad).exclude(estado__in=ESTADOS_CERRADOS).exists():
        raise ErrorDeNegocio(_("Esta municipalidad ya tiene un proceso del Sello en curso."))
    ciclo = (
        Adhesion.objects.filter(municipalidad=municipalidad).order_by("-ciclo").values_list("ciclo", flat=True).first()
        or 0
    ) + 1
    return Adhesion.objects.create(
        municipalidad=municipalidad, ciclo=ciclo, catalogo=catalogo_vigente(), regla=regla_vigente()
    )


@transaction.atomic
def adhesion_registrar(
    *,
    adhesion: Adhesion,
    usuario: Any,
    version: int,
    fecha_adhesion: date,
    acuerdo_concejo_numero: str,
    acuerdo_concejo_fecha: date,
    encargado_nombre: str,
    encargado_cargo: str,
    encargado_email: str,
    carta_firmada: UploadedFile,
) -> Adhesion:
    """Record the signed commitment letter and the Concejo's agreement: interesada → adherida."""
    if acuerdo_concejo_fecha > fecha_adhesion:
        raise ErrorDeNegocio(_("La fecha de adhesión no puede ser anterior al acuerdo del Concejo."))
    if fecha_adhesion > timezone.localdate():
        raise ErrorDeNegocio(_("La fecha de adhesión no puede ser futura."))
    bloquear(adhesion, version)
    adhesion = transicionar(adhesion=adhesion, accion="adherir", usuario=usuario, version=version)
    carta = archivos.guardar(upload=carta_firmada, usuario=usuario)
    adhesion.fecha_adhesion = fecha_adhesion
    adhesion.acuerdo_concejo_numero = acuerdo_concejo_numero
    adhesion.acuerdo_concejo_fecha = acuerdo_concejo_fecha
    adhesion.encargado_nombre = encargado_nombre
    adhesion.encargado_cargo = encargado_cargo
    adhesion.encargado_email = encargado_email
    adhesion.carta_firmada = carta
    adhesion.save()
    return adhesion


@transaction.atomic
def plan_iniciar(*, adhesion: Adhesion, usuario: Any, version: int, comentario: str = "") -> PlanTrabajo:
    """adherida → plan en elaboración; the plan starts with every action of the catalogue."""
    adhesion = transicionar(
        adhesion=adhesion, accion="iniciar_plan", usuario=usuario, version=version, comentario=comentario
    )
    plan = PlanTrabajo.objects.create(adhesion=adhesion, estado=EstadoPlan.BORRADOR)
    AccionPlan.objects.bulk_create(
        AccionPlan(
            plan=plan,
            accion_catalogo=accion,
            linea=accion.linea,
            nombre=accion.nombre,
            obligatoria=accion.obligatoria,
            orden=accion.orden,
        )
        for accion in adhesion.catalogo.acciones.order_by("linea", "orden", "codigo")
    )
    return plan
