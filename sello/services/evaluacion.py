"""Evaluation: request (when the rule allows), evaluators' assignment, their scores, the
committee's decision, the certificate, withdrawal and revalidation."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from municipios.models import Rol, Usuario
from municipios.scoping import puede_editar

from ..errores import ErrorDeNegocio, SinPermiso, TransicionNoPermitida
from ..fallas import encolar
from ..models import (
    AccionPlan,
    Adhesion,
    Certificado,
    Decision,
    DecisionComite,
    EstadoEvidencia,
    EstadoPlan,
    EstadoSello,
    Evaluacion,
    Evidencia,
    Linea,
    PlanTrabajo,
)
from ..puntaje import calcular
from ..transiciones import bloquear, transicionar
from .adhesion import catalogo_vigente, regla_vigente
from .evidencias import puntaje_registrar
from .notificaciones import destinatarios_municipalidad, notificar


@transaction.atomic
def evaluacion_solicitar(*, adhesion: Adhesion, usuario: Any, version: int, comentario: str = "") -> Adhesion:
    """The municipality requests evaluation; only when the scoring rule says it may."""
    bloqueada = bloquear(adhesion, version)
    # Refuse other roles before scoring: they get "no permission", not "the score is short".
    if getattr(usuario, "rol", None) != Rol.MUNICIPAL or not puede_editar(usuario, bloqueada):
        raise SinPermiso(_("Solo la municipalidad solicita la evaluación de su sello."))
    resultado = calcular(adhesion)
    if not resultado.cumple:
        raise ErrorDeNegocio(
            _("Aún no cumple la regla para solicitar la evaluación. ") + " ".join(resultado.explicacion)
        )
    puntaje_registrar(adhesion=adhesion)
    adhesion = transicionar(
        adhesion=adhesion, accion="solicitar_evaluacion", usuario=usuario, version=version, comentario=comentario
    )
    notificar(
        usuarios=Usuario.objects.filter(is_active=True, rol=Rol.NACIONAL),
        titulo=_("Evaluación solicitada: %(m)s") % {"m": adhesion.municipalidad},
        url=f"/sello/{adhesion.uuid}/",
    )
    return adhesion


def ronda_actual(adhesion: Adhesion) -> int:
    return int(adhesion.evaluaciones.aggregate(r=Max("ronda"))["r"] or 0)


@transaction.atomic
def evaluadores_asignar(
    *, adhesion: Adhesion, usuario: Any, evaluadores: list[Usuario], version: int
) -> list[Evaluacion]:
    """National staff assign members of the Comité Evaluador; the evaluation starts."""
    if not evaluadores:
        raise ErrorDeNegocio(_("Asigne al menos un evaluador/a."))
    if any(e.rol != Rol.EVALUADOR or not e.is_active for e in evaluadores):
        raise ErrorDeNegocio(_("Solo se pueden asignar integrantes activos del Comité Evaluador."))
    adhesion = transicionar(adhesion=adhesion, accion="iniciar_evaluacion", usuario=usuario, version=version)
    ronda = ronda_actual(adhesion) + 1
    creadas = [
        Evaluacion.objects.create(adhesion=adhesion, ronda=ronda, evaluador=e, asignada_por=usuario)
        for e in {e.pk: e for e in evaluadores}.values()
    ]
    notificar(
        usuarios=evaluadores,
        titulo=_("Se le asignó la evaluación de %(m)s") % {"m": adhesion.municipalidad},
        url="/sello/evaluaciones/",
    )
    return creadas


@transaction.atomic
def evaluacion_registrar(
    *,
    evaluacion: Evaluacion,
    usuario: Any,
    puntajes: dict[str, Any],
    comentarios: dict[str, str],
    comentario_general: str,
    enviar: bool,
) -> Evaluacion:
    """An evaluator records (and optionally submits) a score 0-100 and a comment per line."""
    bloqueada = Evaluacion.objects.select_for_update().select_related("adhesion").get(pk=evaluacion.pk)
    if usuario is None or bloqueada.evaluador_id != usuario.pk or usuario.rol != Rol.EVALUADOR:
        raise SinPermiso(_("Solo el evaluador/a asignado/a registra esta evaluación."))
    if bloqueada.enviada_en is not None:
        raise TransicionNoPermitida(_("La evaluación ya fue enviada."))
    if bloqueada.adhesion.estado != EstadoSello.EN_EVALUACION:
        raise TransicionNoPermitida(_("La municipalidad no está en evaluación."))
    limpios: dict[str, str] = {}
    for linea in Linea:
        valor = puntajes.get(str(linea.value))
        if valor in (None, ""):
            if enviar:
                raise ErrorDeNegocio(_("Falta el puntaje de la línea %(n)d.") % {"n": linea.value})
            continue
        try:
            numero = Decimal(str(valor))
        except InvalidOperation as exc:
            raise ErrorDeNegocio(_("El puntaje de la línea %(n)d no es un número.") % {"n": linea.value}) from exc
        if not Decimal(0) <= numero <= Decimal(100):
            raise ErrorDeNegocio(_("El puntaje de la línea %(n)d debe estar entre 0 y 100.") % {"n": linea.value})
        limpios[str(linea.value)] = str(numero)
    bloqueada.puntajes = limpios
    bloqueada.comentarios = {str(k): str(v)[:4000] for k, v in comentarios.items() if str(k) in map(str, Linea.values)}
    bloqueada.comentario_general = comentario_general
    if enviar:
        bloqueada.enviada_en = timezone.now()
    bloqueada.save()
    return bloqueada


@transaction.atomic
def decision_registrar(
    *,
    adhesion: Adhesion,
    usuario: Any,
    decision: str,
    resolucion_numero: str,
    resolucion_fecha: date,
    fundamento: str,
    version: int,
) -> DecisionComite:
    """Record the committee's decision (otorgar / observar / rechazar) with its resolution."""
    if decision not in Decision.values:
        raise ErrorDeNegocio(_("Decisión inválida."))
    if not resolucion_numero.strip():
        raise ErrorDeNegocio(_("Indique el número de la resolución."))
    if decision != Decision.OTORGAR and not fundamento.strip():
        raise ErrorDeNegocio(_("Indique el fundamento de la decisión."))
    bloquear(adhesion, version)
    ronda = ronda_actual(adhesion)
    pendientes = adhesion.evaluaciones.filter(ronda=ronda, enviada_en__isnull=True).count()
    if ronda == 0 or pendientes:
        raise TransicionNoPermitida(_("Faltan evaluaciones por enviar en esta ronda (%(n)d).") % {"n": pendientes})
    if decision == Decision.OTORGAR:
        campos = {
            "fecha_certificacion": resolucion_fecha,
            "vigente_hasta": resolucion_fecha + timedelta(days=settings.SELLO_VIGENCIA_DIAS),
            "observaciones": "",
        }
    else:
        campos = {"observaciones": fundamento}
    adhesion = transicionar(
        adhesion=adhesion, accion=decision, usuario=usuario, comentario=fundamento, version=version, campos=campos
    )
    registro = DecisionComite.objects.create(
        adhesion=adhesion,
        ronda=ronda,
        decision=decision,
        resolucion_numero=resolucion_numero.strip(),
        resolucion_fecha=resolucion_fecha,
        fundamento=fundamento,
        registrada_por=usuario,
    )
    if decision == Decision.OTORGAR:
        _certificar(adhesion=adhesion, resolucion=registro.resolucion_numero)
    notificar(
        usuarios=destinatarios_municipalidad(adhesion.municipalidad),
        titulo=_("Decisión del Comité Evaluador: %(d)s") % {"d": registro.get_decision_display()},
        cuerpo=fundamento,
        url=f"/sello/{adhesion.uuid}/",
    )
    return registro


def _certificar(*, adhesion: Adhesion, resolucion: str) -> Certificado:
    from ..tasks import certificado_generar_pdf

    assert adhesion.fecha_certificacion is not None
    assert adhesion.vigente_hasta is not None
    certificado = Certificado.objects.create(
        adhesion=adhesion,
        municipalidad_nombre=adhesion.municipalidad.nombre,
        region_nombre=adhesion.municipalidad.comuna.region.nombre,
        resolucion_numero=resolucion,
        emitido_en=adhesion.fecha_certificacion,
        vigente_hasta=adhesion.vigente_hasta,
    )
    anterior = adhesion.ciclo_anterior
    if anterior is not None and anterior.estado == EstadoSello.REVALIDACION_PENDIENTE:
        transicionar(adhesion=anterior, accion="revalidar", usuario=None, comentario=_("Nuevo ciclo certificado."))
    # A broker that is down leaves the PDF to be rendered on the first download.
    transaction.on_commit(partial(encolar, certificado_generar_pdf, certificado.pk))
    return certificado


@transaction.atomic
def certificado_revocar(*, certificado: Certificado, usuario: Any, motivo: str) -> Certificado:
    if getattr(usuario, "rol", None) != Rol.NACIONAL:
        raise SinPermiso(_("Solo la coordinación nacional revoca certificados."))
    if not motivo.strip():
        raise ErrorDeNegocio(_("Indique el motivo de la revocación."))
    bloqueado = Certificado.objects.select_for_update().get(pk=certificado.pk)
    if bloqueado.revocado_en is not None:
        raise TransicionNoPermitida(_("El certificado ya está revocado."))
    bloqueado.revocado_en = timezone.now()
    bloqueado.motivo_revocacion = motivo.strip()
    bloqueado.save()
    return bloqueado


@transaction.atomic
def sello_retirar(*, adhesion: Adhesion, usuario: Any, motivo: str, version: int) -> Adhesion:
    """National staff withdraw the seal (or end the process); its certificate is revoked."""
    if not motivo.strip():
        raise ErrorDeNegocio(_("Indique el motivo del retiro."))
    adhesion = transicionar(adhesion=adhesion, accion="retirar", usuario=usuario, comentario=motivo, version=version)
    certificado = Certificado.objects.filter(adhesion=adhesion, revocado_en__isnull=True).first()
    if certificado is not None:
        certificado_revocar(certificado=certificado, usuario=usuario, motivo=motivo)
    return adhesion


@transaction.atomic
def revalidacion_abrir(*, adhesion: Adhesion, usuario: Any = None) -> Adhesion:
    """certificada → revalidación pendiente, and open the next cycle with the current catalogue.

    The plan is carried over (approved), and accepted evidence of actions that still exist in
    the catalogue (same code) carries over as accepted."""
    if usuario is not None and not puede_editar(usuario, adhesion):
        raise SinPermiso(_("No puede abrir la revalidación de esta municipalidad."))
    anterior = transicionar(adhesion=adhesion, accion="abrir_revalidacion", usuario=usuario)
    nueva = Adhesion.objects.create(
        municipalidad=anterior.municipalidad,
        ciclo=anterior.ciclo + 1,
        estado=EstadoSello.EN_IMPLEMENTACION,
        catalogo=catalogo_vigente(),
        regla=regla_vigente(),
        ciclo_anterior=anterior,
        fecha_adhesion=anterior.fecha_adhesion,
        acuerdo_concejo_numero=anterior.acuerdo_concejo_numero,
        acuerdo_concejo_fecha=anterior.acuerdo_concejo_fecha,
        encargado_nombre=anterior.encargado_nombre,
        encargado_cargo=anterior.encargado_cargo,
        encargado_email=anterior.encargado_email,
        carta_firmada=anterior.carta_firmada,
    )
    plan = PlanTrabajo.objects.create(adhesion=nueva, estado=EstadoPlan.APROBADO, revisado_en=timezone.now())
    viejas = {
        a.accion_catalogo.codigo: a
        for a in AccionPlan.objects.filter(plan__adhesion=anterior).select_related("accion_catalogo")
        if a.accion_catalogo is not None
    }
    for accion_catalogo in nueva.catalogo.acciones.order_by("linea", "orden"):
        vieja = viejas.get(accion_catalogo.codigo)
        accion = AccionPlan.objects.create(
            plan=plan,
            accion_catalogo=accion_catalogo,
            linea=accion_catalogo.linea,
            nombre=accion_catalogo.nombre,
            obligatoria=accion_catalogo.obligatoria,
            orden=accion_catalogo.orden,
            unidad_responsable=vieja.unidad_responsable if vieja else "",
            indicador=vieja.indicador if vieja else "",
            meta=vieja.meta if vieja else "",
        )
        if vieja is None:
            continue
        for evidencia in Evidencia.objects.filter(accion=vieja, estado=EstadoEvidencia.ACEPTADA):
            Evidencia.objects.create(
                adhesion=nueva,
                accion=accion,
                descripcion=evidencia.descripcion,
                archivo=evidencia.archivo,
                enlace=evidencia.enlace,
                estado=EstadoEvidencia.ACEPTADA,
                enviada_por=evidencia.enviada_por,
                enviada_en=evidencia.enviada_en,
                revisada_por=evidencia.revisada_por,
                revisada_en=evidencia.revisada_en,
                comentario_revision=_("Aceptada en el ciclo %(n)d.") % {"n": anterior.ciclo},
                heredada_de=evidencia,
            )
    puntaje_registrar(adhesion=nueva)
    notificar(
        usuarios=destinatarios_municipalidad(nueva.municipalidad),
        titulo=_("Se abrió la revalidación del Sello Migrante"),
        cuerpo=_("El sello vence el %(f)s. Las evidencias aceptadas se traspasaron al nuevo ciclo.")
        % {"f": anterior.vigente_hasta},
        url=f"/sello/{nueva.uuid}/",
    )
    return nueva
