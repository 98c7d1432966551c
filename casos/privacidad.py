"""Data protection of the people of cases (Ley 21.719): export of her data, rectification,
blocking, anonymisation and the retention policy. Every write is a service (keyword-only,
atomic, audited by simple-history with who and why) and every exercise of a right is logged
in ``OperacionPrivacidad`` (never with personal data: formats, field names, counts).

Who may do what (the person is read through the scoping helper, like her cases):

- export (JSON, PDF): her municipality, the regional team of her región and national staff;
- rectification and blocking: the same, within their territory;
- unblocking and anonymisation on request: national staff only;
- a blocked person is hidden from everybody but national staff (:func:`ocultar_bloqueadas`),
  cannot be rectified nor anonymised (legal hold), and is kept;
- the retention task anonymises people whose cases all closed long ago (``retencion_aplicar``).

Anonymisation keeps what statistics count (comuna, sex, nationality, the NNA flag, age band,
document type, the cases' type, state, priority and dates) and replaces everything else: names,
document, contact, birth date, the cases' free text and conversation, in the current rows
and in their history rows; attachments are deleted from storage.
"""

import logging
import uuid
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import F, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from municipios.models import Rol
from municipios.scoping import puede_editar, puede_ver
from sello.errores import ErrorDeNegocio, SinPermiso, TransicionNoPermitida
from sello.models import Archivo

from . import portabilidad
from .models import (
    CAMPOS_PERSONA,
    ESTADOS_ABIERTOS,
    AccesoSensible,
    AccionPrivacidad,
    Caso,
    EstadoCaso,
    Mensaje,
    OperacionPrivacidad,
    Persona,
    TramoEdad,
    TransicionCaso,
)
from .services import documento_normalizado, edad, es_nna, es_sensible

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=Model)

CON_CASOS = (Rol.MUNICIPAL, Rol.REGIONAL, Rol.NACIONAL)
RETENCION_DIAS_DEFECTO = 5 * 365
NOMBRE_ANONIMO = "Persona anonimizada"
TEXTO_ANONIMO = "[Texto eliminado: datos anonimizados]"
CAMPOS_RECTIFICABLES = CAMPOS_PERSONA
# (upper age, band): the band of an age, for the statistics an anonymised person keeps.
TRAMOS = (
    (5, TramoEdad.NNA_0_5),
    (13, TramoEdad.NNA_6_13),
    (17, TramoEdad.NNA_14_17),
    (29, TramoEdad.ADULTO_18_29),
    (44, TramoEdad.ADULTO_30_44),
    (59, TramoEdad.ADULTO_45_59),
)


# --- Reads --------------------------------------------------------------------------------


def ocultar_bloqueadas(usuario: Any, qs: QuerySet[M]) -> QuerySet[M]:
    """Hide blocked people's data (a queryset of ``Persona``, or of a model with a ``persona``
    foreign key such as ``Caso``) from everybody but national staff."""
    if getattr(usuario, "rol", None) == Rol.NACIONAL:
        return qs
    campo = "bloqueada" if qs.model is Persona else "persona__bloqueada"
    return qs.filter(**{campo: False})


def personas_qs() -> QuerySet[Persona]:
    """The base queryset of a person's page (to be scoped by the caller)."""
    return Persona.objects.select_related("comuna__region", "bloqueada_por")


def retencion_dias() -> int:
    return int(getattr(settings, "SELLO_RETENCION_CASOS_DIAS", RETENCION_DIAS_DEFECTO))


def personas_para_retencion(*, corte: datetime) -> QuerySet[Persona]:
    """People to anonymise by the retention policy: not anonymised nor blocked, with a case
    closed before ``corte`` and no other case still alive (open, resolved, or closed or
    edited since ``corte``). A case's closing date is its last transition to "cerrado"."""
    cierre = Subquery(
        TransicionCaso.objects.filter(caso=OuterRef("pk"), hasta=EstadoCaso.CERRADO)
        .order_by("-fecha")
        .values("fecha")[:1]
    )
    casos = Caso.objects.annotate(cierre=Coalesce(cierre, F("actualizado_en")))
    vencido = Q(estado=EstadoCaso.CERRADO, cierre__lt=corte) | Q(estado=EstadoCaso.BORRADOR, actualizado_en__lt=corte)
    cerrados = casos.filter(estado=EstadoCaso.CERRADO, cierre__lt=corte).values("persona_id")
    vigentes = casos.exclude(vencido).values("persona_id")
    return Persona.objects.filter(anonimizada_en__isnull=True, bloqueada=False, pk__in=cerrados).exclude(
        pk__in=vigentes
    )


# --- Helpers ------------------------------------------------------------------------------


def _exigir_rol(usuario: Any, *roles: Rol) -> None:
    if getattr(usuario, "rol", None) not in roles:
        raise SinPermiso(_("Su rol no permite esta operación sobre los datos personales."))


def _exigir_visible(usuario: Any, persona: Persona) -> None:
    if not puede_ver(usuario, persona) or (persona.bloqueada and usuario.rol != Rol.NACIONAL):
        raise SinPermiso(_("No puede acceder a los datos de esta persona."))


def _exigir_modificable(persona: Persona) -> None:
    if persona.anonimizada_en is not None:
        raise TransicionNoPermitida(_("Los datos de esta persona fueron anonimizados."))
    if persona.bloqueada:
        raise TransicionNoPermitida(_("Los datos de esta persona están bloqueados: no se pueden modificar."))


def _bloquear_fila(persona: Persona) -> Persona:
    return Persona.objects.select_for_update(of=("self",)).select_related("comuna").get(pk=persona.pk)


def _registrar(persona: Persona, usuario: Any, accion: AccionPrivacidad, detalle: str = "") -> None:
    OperacionPrivacidad.objects.create(persona=persona, usuario=usuario, accion=accion, detalle=detalle[:200])


def _guardar(persona: Persona, usuario: Any, motivo: str) -> None:
    """Save with the audit trail's who and why (also outside a request: the retention task)."""
    persona._history_user = usuario  # type: ignore[attr-defined]
    persona._change_reason = motivo  # type: ignore[attr-defined]
    persona.save()


def tramo_de(fecha_nacimiento: date, referencia: date) -> str:
    anios = edad(fecha_nacimiento, referencia)
    return next((tramo for tope, tramo in TRAMOS if anios <= tope), TramoEdad.ADULTO_60)


# --- Export -------------------------------------------------------------------------------


@transaction.atomic
def persona_exportar(*, persona: Persona, usuario: Any, formato: str) -> dict[str, Any]:
    """Everything held about her (``portabilidad.documento``), logged: one operation with the
    format, and one entry per case in the access log of sensitive records (``via="exportar"``:
    an export reveals every case in full, sensitive or not)."""
    _exigir_rol(usuario, *CON_CASOS)
    _exigir_visible(usuario, persona)
    casos = portabilidad.casos_de(persona=persona, usuario=usuario)
    datos = portabilidad.documento(persona=persona, casos=casos, usuario=usuario)
    _registrar(persona, usuario, AccionPrivacidad.EXPORTAR, formato)
    AccesoSensible.objects.bulk_create([AccesoSensible(caso=c, usuario=usuario, via="exportar") for c in casos])
    return datos


# --- Rectification and blocking -----------------------------------------------------------


def _comparable(dato: Any) -> str:
    return "" if dato is None else str(dato)


@transaction.atomic
def persona_rectificar(*, persona: Persona, usuario: Any, **datos: Any) -> Persona:
    """Correct her data (the same rules as on registration). The history keeps who changed
    what and when, with the old values; the operation log names the fields only. Whether she
    is a child is recomputed at her registration date (statistics count her as then), and her
    cases' sensitivity with it."""
    _exigir_rol(usuario, *CON_CASOS)
    fila = _bloquear_fila(persona)
    if not puede_editar(usuario, fila):
        raise SinPermiso(_("No puede modificar los datos de esta persona."))
    _exigir_modificable(fila)
    desconocidos = set(datos) - set(CAMPOS_RECTIFICABLES)
    if desconocidos:
        raise ErrorDeNegocio(_("Campos no editables: %(c)s.") % {"c": ", ".join(sorted(desconocidos))})
    datos = {campo: valor.strip() if isinstance(valor, str) else valor for campo, valor in datos.items()}
    hoy = timezone.localdate()
    if "nombres" in datos and not datos["nombres"]:
        raise ErrorDeNegocio(_("Indique los nombres de la persona."))
    nacimiento = datos.get("fecha_nacimiento", fila.fecha_nacimiento)
    if nacimiento is not None and nacimiento > hoy:
        raise ErrorDeNegocio(_("La fecha de nacimiento no puede ser futura."))
    if nacimiento is not None and edad(nacimiento, hoy) > 120:
        raise ErrorDeNegocio(_("Revise la fecha de nacimiento."))
    cambios = [c for c in CAMPOS_RECTIFICABLES if c in datos and _comparable(datos[c]) != _comparable(getattr(fila, c))]
    if not cambios:
        return fila
    for campo in cambios:
        setattr(fila, campo, datos[campo])
    fila.tramo_edad = fila.tramo_edad or TramoEdad.DESCONOCIDO
    fila.documento_normalizado = documento_normalizado(fila.tipo_documento, fila.numero_documento)
    if {"fecha_nacimiento", "tramo_edad"} & set(cambios):
        fila.es_nna = es_nna(fila.fecha_nacimiento, fila.tramo_edad, timezone.localdate(fila.creada_en))
    _guardar(fila, usuario, "Rectificación")
    for caso in Caso.objects.select_for_update().filter(persona=fila):
        if caso.sensible != es_sensible(caso.tipo, fila):
            caso.sensible = not caso.sensible
            caso.save(update_fields=["sensible", "actualizado_en"])
    _registrar(fila, usuario, AccionPrivacidad.RECTIFICAR, ", ".join(cambios))
    return fila


@transaction.atomic
def persona_bloquear(*, persona: Persona, usuario: Any, motivo: str) -> Persona:
    """Block her data (legal hold): kept, hidden from everybody but national staff, not editable."""
    _exigir_rol(usuario, *CON_CASOS)
    fila = _bloquear_fila(persona)
    if not puede_editar(usuario, fila):
        raise SinPermiso(_("No puede bloquear los datos de esta persona."))
    _exigir_modificable(fila)
    if not motivo.strip():
        raise ErrorDeNegocio(_("Indique el motivo del bloqueo."))
    fila.bloqueada = True
    fila.bloqueo_motivo = motivo.strip()
    fila.bloqueada_por = usuario
    fila.bloqueada_en = timezone.now()
    _guardar(fila, usuario, "Bloqueo")
    _registrar(fila, usuario, AccionPrivacidad.BLOQUEAR)
    return fila


@transaction.atomic
def persona_desbloquear(*, persona: Persona, usuario: Any) -> Persona:
    """Lift the block (national staff). The history keeps who blocked, why and when."""
    _exigir_rol(usuario, Rol.NACIONAL)
    fila = _bloquear_fila(persona)
    if not fila.bloqueada:
        raise TransicionNoPermitida(_("Los datos de esta persona no están bloqueados."))
    fila.bloqueada = False
    fila.bloqueo_motivo = ""
    fila.bloqueada_por = None
    fila.bloqueada_en = None
    _guardar(fila, usuario, "Desbloqueo")
    _registrar(fila, usuario, AccionPrivacidad.DESBLOQUEAR)
    return fila


# --- Anonymisation and retention ----------------------------------------------------------


def _borrar_archivos(nombres: list[str]) -> None:
    almacen = Archivo._meta.get_field("archivo").storage
    for nombre in nombres:
        almacen.delete(nombre)


@transaction.atomic
def persona_anonimizar(*, persona: Persona, usuario: Any | None, motivo: str = "solicitud") -> Persona:
    """Irreversibly replace her personal data, keeping what statistics count (module docstring).

    ``usuario`` is national staff acting on a request, or None for the retention task. Refused
    while she is blocked (legal hold) or has an open case. The history rows of her data, her
    cases and their messages are overwritten too (they keep the old values otherwise); the
    attachments' files are deleted once the transaction commits."""
    if usuario is not None:
        _exigir_rol(usuario, Rol.NACIONAL)
    fila = _bloquear_fila(persona)
    _exigir_modificable(fila)
    casos = list(Caso.objects.select_for_update().filter(persona=fila).order_by("pk"))
    if any(c.estado in ESTADOS_ABIERTOS for c in casos):
        raise TransicionNoPermitida(_("La persona tiene casos abiertos: ciérrelos antes de anonimizar sus datos."))
    if fila.fecha_nacimiento is not None:
        fila.tramo_edad = tramo_de(fila.fecha_nacimiento, timezone.localdate(fila.creada_en))
    anonimos = {
        "nombres": NOMBRE_ANONIMO,
        "apellidos": "",
        "numero_documento": "",
        "documento_normalizado": "",
        "telefono": "",
        "email": "",
        "fecha_nacimiento": None,
        "bloqueo_motivo": "",
    }
    for campo, dato in anonimos.items():
        setattr(fila, campo, dato)
    fila.uuid = uuid.uuid4()  # an export made before cannot be linked to what remains
    fila.anonimizada_en = timezone.now()
    _guardar(fila, usuario, f"Anonimización ({motivo})"[:100])
    Persona.history.filter(id=fila.pk).update(**anonimos, uuid=fila.uuid)

    ids = [c.pk for c in casos]
    for caso in casos:
        caso.descripcion = TEXTO_ANONIMO
        caso.resolucion = TEXTO_ANONIMO if caso.resolucion else ""
        caso.numero_solicitud_sermig = ""
        caso.version += 1  # a form loaded before cannot write the old text back
        caso._history_user = usuario  # type: ignore[attr-defined]
        caso._change_reason = "Anonimización"  # type: ignore[attr-defined]
        caso.save()
    Caso.history.filter(id__in=ids).update(descripcion=TEXTO_ANONIMO, numero_solicitud_sermig="")
    Caso.history.filter(id__in=ids).exclude(resolucion="").update(resolucion=TEXTO_ANONIMO)
    TransicionCaso.objects.filter(caso_id__in=ids).exclude(comentario="").update(comentario=TEXTO_ANONIMO)
    mensajes = Mensaje.objects.filter(caso_id__in=ids)
    archivos = list(Archivo.objects.filter(pk__in=mensajes.exclude(adjunto=None).values("adjunto_id")))
    n_mensajes = mensajes.update(texto=TEXTO_ANONIMO, adjunto=None)
    Mensaje.history.filter(caso_id__in=ids).update(texto=TEXTO_ANONIMO, adjunto=None)
    Archivo.objects.filter(pk__in=[a.pk for a in archivos]).delete()
    nombres = [str(a.archivo.name) for a in archivos if a.archivo]
    transaction.on_commit(lambda: _borrar_archivos(nombres))

    detalle = f"{motivo}; casos={len(ids)}; mensajes={n_mensajes}; adjuntos={len(archivos)}"
    _registrar(fila, usuario, AccionPrivacidad.ANONIMIZAR, detalle)
    return fila


def retencion_aplicar(*, ahora: datetime) -> dict[str, int]:
    """Anonymise the people of :func:`personas_para_retencion` (cases closed more than
    ``SELLO_RETENCION_CASOS_DIAS`` days ago), one transaction each. Idempotent: an anonymised
    person is never selected again; a person whose situation changed since the selection
    (a case reopened, a block) is skipped. Logs counts only."""
    corte = ahora - timedelta(days=retencion_dias())
    candidatas = list(personas_para_retencion(corte=corte).order_by("pk").values_list("pk", flat=True))
    anonimizadas = omitidas = 0
    for pk in candidatas:
        with transaction.atomic():
            persona = personas_para_retencion(corte=corte).select_for_update(of=("self",)).filter(pk=pk).first()
            if persona is None:
                omitidas += 1
                continue
            try:
                persona_anonimizar(persona=persona, usuario=None, motivo="retención")
            except ErrorDeNegocio:
                omitidas += 1
                continue
        anonimizadas += 1
    logger.info(
        "retencion de casos: corte=%s candidatas=%d anonimizadas=%d omitidas=%d",
        corte.date().isoformat(),
        len(candidatas),
        anonimizadas,
        omitidas,
    )
    return {"candidatas": len(candidatas), "anonimizadas": anonimizadas, "omitidas": omitidas}
