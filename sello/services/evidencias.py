"""Evidence (medios de verificación): submitted by the municipality, reviewed by regional staff,
re-submitted after observations; every review re-scores the adhesion."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from municipios.models import Rol
from municipios.scoping import puede_editar

from .. import archivos
from ..errores import ConflictoDeVersion, ErrorDeNegocio, SinPermiso, TransicionNoPermitida
from ..models import AccionPlan, Adhesion, EstadoEvidencia, EstadoSello, Evidencia, Puntaje
from ..puntaje import calcular
from .notificaciones import destinatarios_municipalidad, notificar

ESTADOS_QUE_RECIBEN_EVIDENCIA = (EstadoSello.PLAN_APROBADO, EstadoSello.EN_IMPLEMENTACION)
REVISIONES = (EstadoEvidencia.ACEPTADA, EstadoEvidencia.OBSERVADA, EstadoEvidencia.RECHAZADA)


def puntaje_registrar(*, adhesion: Adhesion) -> Puntaje:
    """Store the adhesion's current score (only when it changed), naming its rule version."""
    resultado = calcular(adhesion)
    ultimo = adhesion.puntajes.order_by("-calculado_en", "-pk").first()
    if (
        ultimo is not None
        and ultimo.regla_id == resultado.regla.pk
        and ultimo.por_linea == resultado.por_linea()
        and ultimo.total == resultado.total
    ):
        return ultimo
    return Puntaje.objects.create(
        adhesion=adhesion,
        regla=resultado.regla,
        por_linea=resultado.por_linea(),
        total=resultado.total,
        cumple=resultado.cumple,
    )


@transaction.atomic
def evidencia_presentar(
    *,
    accion: AccionPlan,
    usuario: Any,
    descripcion: str,
    archivo: UploadedFile | None = None,
    enlace: str = "",
    reemplaza: Evidencia | None = None,
) -> Evidencia:
    """Submit a file or a link as evidence of ``accion`` (optionally re-submitting an observed one)."""
    adhesion = (
        Adhesion.objects.select_for_update().select_related("municipalidad__comuna").get(pk=accion.plan.adhesion_id)
    )
    if getattr(usuario, "rol", None) != Rol.MUNICIPAL or not puede_editar(usuario, adhesion):
        raise SinPermiso(_("Solo la municipalidad presenta sus medios de verificación."))
    if adhesion.estado not in ESTADOS_QUE_RECIBEN_EVIDENCIA:
        raise TransicionNoPermitida(
            _("No se reciben evidencias cuando el sello está «%(estado)s».") % {"estado": adhesion.get_estado_display()}
        )
    if accion.no_aplica:
        raise ErrorDeNegocio(_("Esta acción está marcada «no aplica»."))
    descripcion = descripcion.strip()
    if not descripcion:
        raise ErrorDeNegocio(_("Describa la evidencia."))
    enlace = enlace.strip()
    if bool(archivo) == bool(enlace):
        raise ErrorDeNegocio(_("Adjunte un archivo o indique un enlace (solo uno de los dos)."))
    if enlace:
        try:
            URLValidator(schemes=["https", "http"])(enlace)
        except ValidationError as exc:
            raise ErrorDeNegocio(_("El enlace no es una dirección web válida (http o https).")) from exc
    if reemplaza is not None:
        reemplaza = Evidencia.objects.select_for_update().get(pk=reemplaza.pk)
        if reemplaza.accion_id != accion.pk or reemplaza.estado != EstadoEvidencia.OBSERVADA:
            raise ErrorDeNegocio(_("Solo se puede volver a presentar una evidencia observada de la misma acción."))
        if Evidencia.objects.filter(reemplaza=reemplaza).exists():
            raise ErrorDeNegocio(_("Esa evidencia ya fue presentada nuevamente."))
    guardado = archivos.guardar(upload=archivo, usuario=usuario) if archivo else None
    try:
        evidencia = Evidencia.objects.create(
            adhesion=adhesion,
            accion=accion,
            descripcion=descripcion[:300],
            archivo=guardado,
            enlace=enlace,
            enviada_por=usuario,
            enviada_en=timezone.now(),
            reemplaza=reemplaza,
        )
    except Exception:  # any failure of the insert: remove the stored file, then re-raise
        if guardado is not None:
            guardado.archivo.delete(save=False)
        raise
    return evidencia


@transaction.atomic
def evidencia_revisar(*, evidencia: Evidencia, usuario: Any, estado: str, comentario: str, version: int) -> Evidencia:
    """Regional staff accept, observe or reject submitted evidence; the score is recomputed."""
    bloqueada = (
        Evidencia.objects.select_for_update().select_related("adhesion__municipalidad__comuna").get(pk=evidencia.pk)
    )
    if getattr(usuario, "rol", None) != Rol.REGIONAL or not puede_editar(usuario, bloqueada):
        raise SinPermiso(_("Solo el equipo regional revisa las evidencias de su región."))
    if bloqueada.version != version:
        raise ConflictoDeVersion()
    if bloqueada.estado != EstadoEvidencia.ENVIADA:
        raise TransicionNoPermitida(_("Esta evidencia ya fue revisada."))
    if estado not in REVISIONES:
        raise ErrorDeNegocio(_("Resultado de revisión inválido."))
    if estado != EstadoEvidencia.ACEPTADA and not comentario.strip():
        raise ErrorDeNegocio(_("Explique a la municipalidad qué debe corregir."))
    bloqueada.estado = estado
    bloqueada.comentario_revision = comentario.strip()
    bloqueada.revisada_por = usuario
    bloqueada.revisada_en = timezone.now()
    bloqueada.version += 1
    bloqueada.save()
    puntaje_registrar(adhesion=bloqueada.adhesion)
    notificar(
        usuarios=[u for u in destinatarios_municipalidad(bloqueada.adhesion.municipalidad) if u.rol == Rol.MUNICIPAL],
        titulo=_("Evidencia %(estado)s: %(desc)s")
        % {"estado": bloqueada.get_estado_display().lower(), "desc": bloqueada.descripcion[:80]},
        cuerpo=bloqueada.comentario_revision,
        url=f"/sello/{bloqueada.adhesion.uuid}/",
    )
    return bloqueada
