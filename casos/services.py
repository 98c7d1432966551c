"""Every write on cases: keyword-only, typed, atomic; notifications scheduled on commit."""

from datetime import date, datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from municipios.models import Rol, Usuario
from municipios.scoping import puede_editar, puede_ver
from sello import archivos
from sello.errores import ConflictoDeVersion, ErrorDeNegocio, SinPermiso, TransicionNoPermitida
from sello.services.notificaciones import notificar

from .documentos import DocumentoInvalido, normalizar, validar_run
from .flujo import TRANSICIONES
from .models import (
    SUBTIPOS,
    TIPOS_SENSIBLES,
    TRAMOS_NNA,
    AccesoSensible,
    Caso,
    EstadoCaso,
    Mensaje,
    Persona,
    PlazoRespuesta,
    SecuenciaFolio,
    TipoDocumento,
    TramoEdad,
    TransicionCaso,
)

PLAZO_POR_DEFECTO_HORAS = 120


def _exigir_municipal(usuario: Any) -> None:
    if getattr(usuario, "rol", None) != Rol.MUNICIPAL or not getattr(usuario, "municipalidad_id", None):
        raise SinPermiso(_("Solo los funcionarios municipales registran casos."))


def edad(fecha_nacimiento: date, hoy: date) -> int:
    return hoy.year - fecha_nacimiento.year - ((hoy.month, hoy.day) < (fecha_nacimiento.month, fecha_nacimiento.day))


def es_nna(fecha_nacimiento: date | None, tramo_edad: str, hoy: date) -> bool:
    if fecha_nacimiento is not None:
        return edad(fecha_nacimiento, hoy) < 18
    return tramo_edad in TRAMOS_NNA


def documento_normalizado(tipo: str, numero: str) -> str:
    """Validate (RUN by check digit) and normalise; raises ErrorDeNegocio with a clear message."""
    numero = (numero or "").strip()
    if tipo == TipoDocumento.SIN_DOCUMENTO:
        return ""
    if not numero:
        raise ErrorDeNegocio(_("Indique el número de documento."))
    if tipo == TipoDocumento.RUN:
        try:
            return validar_run(numero)
        except DocumentoInvalido as exc:
            raise ErrorDeNegocio(_("El RUN no es válido: revise el número y el dígito verificador.")) from exc
    normalizado = normalizar(tipo, numero)
    if len(normalizado) < 3:
        raise ErrorDeNegocio(_("El número de documento es demasiado corto."))
    return normalizado


@transaction.atomic
def persona_registrar(
    *,
    usuario: Any,
    nombres: str,
    apellidos: str,
    tipo_documento: str,
    numero_documento: str,
    nacionalidad: str,
    sexo: str,
    fecha_nacimiento: date | None,
    tramo_edad: str,
    telefono: str = "",
    email: str = "",
) -> Persona:
    """Register a person with the minimum necessary data (see ``selectors.posibles_duplicados``)."""
    _exigir_municipal(usuario)
    hoy = timezone.localdate()
    if not nombres.strip():
        raise ErrorDeNegocio(_("Indique los nombres de la persona."))
    if fecha_nacimiento is not None and fecha_nacimiento > hoy:
        raise ErrorDeNegocio(_("La fecha de nacimiento no puede ser futura."))
    if fecha_nacimiento is not None and edad(fecha_nacimiento, hoy) > 120:
        raise ErrorDeNegocio(_("Revise la fecha de nacimiento."))
    return Persona.objects.create(
        comuna_id=usuario.municipalidad.comuna_id,
        nombres=nombres.strip(),
        apellidos=apellidos.strip(),
        tipo_documento=tipo_documento,
        numero_documento=numero_documento.strip(),
        documento_normalizado=documento_normalizado(tipo_documento, numero_documento),
        nacionalidad=nacionalidad,
        sexo=sexo,
        fecha_nacimiento=fecha_nacimiento,
        tramo_edad=tramo_edad or TramoEdad.DESCONOCIDO,
        es_nna=es_nna(fecha_nacimiento, tramo_edad, hoy),
        telefono=telefono.strip(),
        email=email.strip(),
        creada_por=usuario,
    )


def _siguiente_folio(comuna_id: str, anio: int) -> str:
    secuencia, _creada = SecuenciaFolio.objects.select_for_update().get_or_create(comuna_id=comuna_id, anio=anio)
    SecuenciaFolio.objects.filter(pk=secuencia.pk).update(ultimo=F("ultimo") + 1)
    secuencia.refresh_from_db()
    return f"{comuna_id}-{anio}-{secuencia.ultimo:06d}"


def _validar_tipo(tipo: str, subtipo: str) -> None:
    if tipo not in SUBTIPOS:
        raise ErrorDeNegocio(_("Tipo de caso inválido."))
    if subtipo and subtipo not in {codigo for codigo, _nombre in SUBTIPOS[tipo]}:
        raise ErrorDeNegocio(_("El subtipo no corresponde al tipo de caso."))


def es_sensible(tipo: str, persona: Persona) -> bool:
    return tipo in TIPOS_SENSIBLES or persona.es_nna


@transaction.atomic
def caso_crear(
    *,
    usuario: Any,
    persona: Persona,
    tipo: str,
    subtipo: str,
    prioridad: str,
    canal: str,
    descripcion: str,
    consentimiento: bool,
    consentimiento_fecha: date | None,
    numero_solicitud_sermig: str = "",
) -> Caso:
    """Create a draft case in the officer's comuna, with a human-readable folio."""
    _exigir_municipal(usuario)
    if persona.comuna_id != usuario.municipalidad.comuna_id:
        raise SinPermiso(_("La persona no pertenece a su comuna."))
    _validar_tipo(tipo, subtipo)
    if not descripcion.strip():
        raise ErrorDeNegocio(_("Describa el caso."))
    if consentimiento and consentimiento_fecha is None:
        raise ErrorDeNegocio(_("Indique la fecha del consentimiento informado."))
    if consentimiento_fecha is not None and consentimiento_fecha > timezone.localdate():
        raise ErrorDeNegocio(_("La fecha del consentimiento no puede ser futura."))
    ahora = timezone.localtime()
    return Caso.objects.create(
        folio=_siguiente_folio(persona.comuna_id, ahora.year),
        comuna_id=persona.comuna_id,
        persona=persona,
        tipo=tipo,
        subtipo=subtipo,
        prioridad=prioridad,
        canal=canal,
        descripcion=descripcion.strip(),
        sensible=es_sensible(tipo, persona),
        consentimiento=consentimiento,
        consentimiento_fecha=consentimiento_fecha if consentimiento else None,
        numero_solicitud_sermig=numero_solicitud_sermig.strip(),
        creado_por=usuario,
    )


def _bloquear(caso: Caso, version: int | None) -> Caso:
    bloqueado = Caso.objects.select_for_update().select_related("comuna", "persona").get(pk=caso.pk)
    if bloqueado.persona.bloqueada:
        raise TransicionNoPermitida(_("Los datos de la persona están bloqueados: el caso no se puede modificar."))
    _exigir_version(bloqueado, version)
    return bloqueado


def _exigir_version(caso: Caso, version: int | None) -> None:
    if version is not None and caso.version != version:
        raise ConflictoDeVersion(
            _("Otra persona modificó este caso mientras usted lo editaba. Revise la versión actual.")
        )


@transaction.atomic
def caso_editar(*, caso: Caso, usuario: Any, version: int, **datos: Any) -> Caso:
    """Edit a draft (only the municipality, only while it is a draft)."""
    bloqueado = _bloquear(caso, None)
    _exigir_municipal(usuario)
    if not puede_editar(usuario, bloqueado):
        raise SinPermiso(_("No puede editar este caso."))
    _exigir_version(bloqueado, version)
    if bloqueado.estado != EstadoCaso.BORRADOR:
        raise TransicionNoPermitida(_("Solo se pueden editar casos en borrador."))
    permitidos = {
        "tipo",
        "subtipo",
        "prioridad",
        "canal",
        "descripcion",
        "consentimiento",
        "consentimiento_fecha",
        "numero_solicitud_sermig",
    }
    desconocidos = set(datos) - permitidos
    if desconocidos:
        raise ErrorDeNegocio(_("Campos no editables: %(c)s.") % {"c": ", ".join(sorted(desconocidos))})
    for campo, valor in datos.items():
        setattr(bloqueado, campo, valor)
    _validar_tipo(bloqueado.tipo, bloqueado.subtipo)
    if not bloqueado.descripcion.strip():
        raise ErrorDeNegocio(_("Describa el caso."))
    if bloqueado.consentimiento and bloqueado.consentimiento_fecha is None:
        raise ErrorDeNegocio(_("Indique la fecha del consentimiento informado."))
    if not bloqueado.consentimiento:
        bloqueado.consentimiento_fecha = None
    bloqueado.sensible = es_sensible(bloqueado.tipo, bloqueado.persona)
    bloqueado.version += 1
    bloqueado.save()
    return bloqueado


def plazo_para(tipo: str, prioridad: str, desde: datetime) -> datetime:
    horas = PlazoRespuesta.objects.filter(tipo=tipo, prioridad=prioridad).values_list("horas", flat=True).first()
    return desde + timedelta(hours=horas or PLAZO_POR_DEFECTO_HORAS)


def equipo_regional(region_id: str) -> list[Usuario]:
    return list(Usuario.objects.filter(is_active=True, rol=Rol.REGIONAL, region_id=region_id))


@transaction.atomic
def caso_transicionar(
    *,
    caso: Caso,
    accion: str,
    usuario: Any,
    version: int | None,
    comentario: str = "",
    asignado_a: Usuario | None = None,
) -> Caso:
    """Apply a workflow action, logged with its comment; refuses stale versions."""
    t = TRANSICIONES.get(accion)
    if t is None:
        raise TransicionNoPermitida(_("Acción desconocida."))
    bloqueado = _bloquear(caso, None)
    if getattr(usuario, "rol", None) not in t.roles or not puede_editar(usuario, bloqueado):
        raise SinPermiso(_("Su rol no permite «%(a)s» en este caso.") % {"a": t.etiqueta})
    _exigir_version(bloqueado, version)
    if bloqueado.estado not in t.desde:
        raise TransicionNoPermitida(
            _("No se puede «%(a)s» un caso «%(e)s».") % {"a": t.etiqueta, "e": bloqueado.get_estado_display()}
        )
    comentario = comentario.strip()
    if t.requiere_comentario and not comentario:
        raise ErrorDeNegocio(_("Escriba un comentario para «%(a)s».") % {"a": t.etiqueta})
    ahora = timezone.now()
    region_id = bloqueado.comuna.region_id
    if accion == "derivar":
        if not bloqueado.consentimiento or bloqueado.consentimiento_fecha is None:
            raise ErrorDeNegocio(_("Para derivar el caso se requiere el consentimiento informado de la persona."))
        bloqueado.derivado_en = ahora
        bloqueado.plazo = plazo_para(bloqueado.tipo, bloqueado.prioridad, ahora)
        bloqueado.vencido = False
    elif accion == "asignar":
        asignado = asignado_a or usuario
        if asignado.rol not in (Rol.REGIONAL, Rol.NACIONAL) or not asignado.is_active:
            raise ErrorDeNegocio(_("El caso solo se puede asignar a personal activo del SERMIG."))
        if asignado.rol == Rol.REGIONAL and asignado.region_id != region_id:
            raise ErrorDeNegocio(_("La persona asignada no pertenece a la dirección regional del caso."))
        bloqueado.asignado_a = asignado
    elif accion == "resolver":
        bloqueado.resuelto_en = ahora
        bloqueado.resolucion = comentario
    elif accion == "reabrir":
        bloqueado.resuelto_en = None
        bloqueado.plazo = plazo_para(bloqueado.tipo, bloqueado.prioridad, ahora)
        bloqueado.vencido = False
    desde = bloqueado.estado
    bloqueado.estado = t.hasta
    bloqueado.version += 1
    bloqueado.save()
    TransicionCaso.objects.create(
        caso=bloqueado, desde=desde, hasta=t.hasta, accion=accion, usuario=usuario, comentario=comentario
    )
    if accion in ("solicitar_informacion", "responder") and comentario:
        Mensaje.objects.create(caso=bloqueado, autor=usuario, texto=comentario, interno=False)
    _avisar_transicion(bloqueado, accion, usuario)
    return bloqueado


def _avisar_transicion(caso: Caso, accion: str, usuario: Any) -> None:
    url = f"/casos/{caso.uuid}/"
    if accion in ("derivar", "reabrir") and caso.asignado_a is None:
        destinatarios = equipo_regional(caso.comuna.region_id)
    elif usuario.rol == Rol.MUNICIPAL:
        destinatarios = [caso.asignado_a] if caso.asignado_a else equipo_regional(caso.comuna.region_id)
    else:
        destinatarios = list(
            Usuario.objects.filter(is_active=True, rol=Rol.MUNICIPAL, municipalidad__comuna_id=caso.comuna_id)
        )
        if accion == "asignar" and caso.asignado_a and caso.asignado_a.pk != usuario.pk:
            destinatarios.append(caso.asignado_a)
    # The folio only: never the person's name in a notification or e-mail.
    notificar(
        usuarios=[u for u in destinatarios if u.pk != usuario.pk],
        titulo=_("Caso %(f)s: %(e)s") % {"f": caso.folio, "e": caso.get_estado_display().lower()},
        url=url,
    )


@transaction.atomic
def casos_asignar(*, casos: list[Caso], usuario: Any, asignado_a: Usuario) -> list[Caso]:
    """Bulk assignment from the regional queue: every case is assigned, or none."""
    resultado = []
    for caso in casos:
        if caso.estado in (EstadoCaso.DERIVADO, EstadoCaso.REABIERTO):
            resultado.append(
                caso_transicionar(caso=caso, accion="asignar", usuario=usuario, version=None, asignado_a=asignado_a)
            )
        else:
            resultado.append(caso_reasignar(caso=caso, usuario=usuario, asignado_a=asignado_a))
    return resultado


@transaction.atomic
def caso_reasignar(*, caso: Caso, usuario: Any, asignado_a: Usuario) -> Caso:
    bloqueado = _bloquear(caso, None)
    if usuario.rol not in (Rol.REGIONAL, Rol.NACIONAL) or not puede_editar(usuario, bloqueado):
        raise SinPermiso(_("Solo el equipo regional asigna casos."))
    if not bloqueado.abierto:
        raise TransicionNoPermitida(_("Solo se reasignan casos abiertos."))
    if asignado_a.rol not in (Rol.REGIONAL, Rol.NACIONAL) or not asignado_a.is_active:
        raise ErrorDeNegocio(_("El caso solo se puede asignar a personal activo del SERMIG."))
    if asignado_a.rol == Rol.REGIONAL and asignado_a.region_id != bloqueado.comuna.region_id:
        raise ErrorDeNegocio(_("La persona asignada no pertenece a la dirección regional del caso."))
    bloqueado.asignado_a = asignado_a
    bloqueado.version += 1
    bloqueado.save()
    TransicionCaso.objects.create(
        caso=bloqueado,
        desde=bloqueado.estado,
        hasta=bloqueado.estado,
        accion="reasignar",
        usuario=usuario,
        comentario=_("Asignado a %(u)s") % {"u": asignado_a.get_full_name() or asignado_a.username},
    )
    return bloqueado


@transaction.atomic
def mensaje_agregar(
    *, caso: Caso, usuario: Any, texto: str, interno: bool = False, adjunto: UploadedFile | None = None
) -> Mensaje:
    """Add a message (or, for SERMIG staff, an internal note) with an optional validated attachment."""
    bloqueado = _bloquear(caso, None)
    rol = getattr(usuario, "rol", None)
    if rol not in (Rol.MUNICIPAL, Rol.REGIONAL, Rol.NACIONAL) or not puede_editar(usuario, bloqueado):
        raise SinPermiso(_("No puede escribir en este caso."))
    if interno and rol == Rol.MUNICIPAL:
        raise SinPermiso(_("Las notas internas son solo para el SERMIG."))
    if bloqueado.estado == EstadoCaso.CERRADO:
        raise TransicionNoPermitida(_("El caso está cerrado: reábralo para continuar la conversación."))
    if not texto.strip():
        raise ErrorDeNegocio(_("Escriba el mensaje."))
    guardado = archivos.guardar(upload=adjunto, usuario=usuario) if adjunto else None
    try:
        mensaje = Mensaje.objects.create(
            caso=bloqueado, autor=usuario, texto=texto.strip(), interno=interno, adjunto=guardado
        )
    except Exception:  # any failure of the insert: remove the stored file, then re-raise
        if guardado is not None:
            guardado.archivo.delete(save=False)
        raise
    if not interno:
        _avisar_transicion(bloqueado, "mensaje", usuario)
    return mensaje


def acceso_registrar(*, caso: Caso, usuario: Any, via: str = "web") -> None:
    """Log the opening of a sensitive case (who, when). Non-sensitive cases are not logged."""
    if caso.sensible and puede_ver(usuario, caso):
        AccesoSensible.objects.create(caso=caso, usuario=usuario, via=via)


def casos_marcar_vencidos(*, ahora: datetime) -> list[int]:
    """Mark open cases past their deadline and notify once (the ``vencido`` flag makes it
    idempotent: a case already marked is not notified again)."""
    marcados = []
    pendientes = Caso.objects.filter(
        estado__in=[EstadoCaso.DERIVADO, EstadoCaso.EN_GESTION, EstadoCaso.REABIERTO], vencido=False, plazo__lt=ahora
    ).select_related("comuna", "asignado_a")
    for caso in pendientes:
        with transaction.atomic():
            actualizados = Caso.objects.filter(pk=caso.pk, vencido=False).update(vencido=True)
            if not actualizados:
                continue  # another run marked it first
            destinatarios = equipo_regional(caso.comuna.region_id)
            if caso.asignado_a is not None:
                destinatarios.append(caso.asignado_a)
            notificar(
                usuarios=destinatarios,
                titulo=_("Caso %(f)s vencido: superó su plazo de respuesta") % {"f": caso.folio},
                url=f"/casos/{caso.uuid}/",
            )
            marcados.append(caso.pk)
    return marcados
