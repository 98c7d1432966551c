"""Every write on trainings, attendance, certificates, operativos and good practices."""

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from casos.documentos import DocumentoInvalido, validar_run
from municipios.models import Comuna, Municipalidad, Rol
from municipios.scoping import puede_editar
from sello.errores import ErrorDeNegocio, SinPermiso, TransicionNoPermitida
from sello.models import Linea

from .models import (
    ASISTIO,
    Asistencia,
    BuenaPractica,
    Capacitacion,
    CertificadoCapacitacion,
    DispositivoTerritorial,
    Encuesta,
    EstadoAsistencia,
    EstadoInscripcion,
    EstadoPractica,
    Inscripcion,
    Invitacion,
    Organizador,
    Servicio,
    Sesion,
    TipoDispositivo,
)

MAX_FILAS_CSV = 5000


def puede_organizar(usuario: Any, capacitacion: Capacitacion) -> bool:
    """The organiser manages a training: its municipality's officers, its región's SERMIG staff
    (for SERMIG regional trainings) or national staff."""
    if usuario is None or not usuario.is_authenticated or not usuario.is_active:
        return False
    rol = getattr(usuario, "rol", "")
    if rol == Rol.NACIONAL:
        return True
    if capacitacion.organizador == Organizador.MUNICIPALIDAD:
        return rol == Rol.MUNICIPAL and usuario.municipalidad_id == capacitacion.municipalidad_organizadora_id
    if capacitacion.organizador == Organizador.SERMIG_REGIONAL:
        return rol == Rol.REGIONAL and usuario.region_id == capacitacion.region_id
    return False


def _exigir_organizador(usuario: Any, capacitacion: Capacitacion) -> None:
    if not puede_organizar(usuario, capacitacion):
        raise SinPermiso(_("Solo quien organiza la capacitación puede hacer esto."))


@transaction.atomic
def capacitacion_crear(
    *,
    usuario: Any,
    titulo: str,
    tema: str,
    modalidad: str,
    descripcion: str,
    audiencias: list[str],
    cupo: int,
    horas: Decimal,
    asistencia_minima: int = 75,
    invitadas: list[Municipalidad] | None = None,
) -> Capacitacion:
    """Create a training organised by the user's institution, inviting municipalities of its scope."""
    rol = getattr(usuario, "rol", "")
    if rol == Rol.MUNICIPAL and usuario.municipalidad_id:
        organizador, region, municipalidad = Organizador.MUNICIPALIDAD, None, usuario.municipalidad
    elif rol == Rol.REGIONAL and usuario.region_id:
        organizador, region, municipalidad = Organizador.SERMIG_REGIONAL, usuario.region, None
    elif rol == Rol.NACIONAL:
        organizador, region, municipalidad = Organizador.SERMIG_NACIONAL, None, None
    else:
        raise SinPermiso(_("Su rol no permite organizar capacitaciones."))
    if not titulo.strip():
        raise ErrorDeNegocio(_("Indique el título."))
    if cupo < 1:
        raise ErrorDeNegocio(_("El cupo debe ser al menos 1."))
    if horas <= 0:
        raise ErrorDeNegocio(_("Indique la duración en horas."))
    if not 1 <= asistencia_minima <= 100:
        raise ErrorDeNegocio(_("La asistencia mínima debe estar entre 1% y 100%."))
    invitadas = list(invitadas or [])
    if municipalidad is not None and municipalidad not in invitadas:
        invitadas.append(municipalidad)
    fuera = [m for m in invitadas if not puede_editar(usuario, m) and rol != Rol.NACIONAL]
    if fuera and rol != Rol.MUNICIPAL:
        raise SinPermiso(_("Solo puede invitar municipalidades de su territorio."))
    capacitacion = Capacitacion.objects.create(
        titulo=titulo.strip(),
        tema=tema,
        modalidad=modalidad,
        descripcion=descripcion,
        organizador=organizador,
        region=region,
        municipalidad_organizadora=municipalidad,
        audiencias=audiencias,
        cupo=cupo,
        horas=horas,
        asistencia_minima=asistencia_minima,
        creada_por=usuario,
    )
    Invitacion.objects.bulk_create(Invitacion(capacitacion=capacitacion, municipalidad=m) for m in invitadas)
    return capacitacion


@transaction.atomic
def sesion_agregar(*, capacitacion: Capacitacion, usuario: Any, inicio: datetime, fin: datetime, lugar: str) -> Sesion:
    _exigir_organizador(usuario, capacitacion)
    if fin <= inicio:
        raise ErrorDeNegocio(_("El término de la sesión debe ser posterior a su inicio."))
    if not lugar.strip():
        raise ErrorDeNegocio(_("Indique el lugar o el enlace de la sesión."))
    return Sesion.objects.create(capacitacion=capacitacion, inicio=inicio, fin=fin, lugar=lugar.strip())


def _puede_inscribir(usuario: Any, capacitacion: Capacitacion, municipalidad: Municipalidad | None) -> bool:
    if puede_organizar(usuario, capacitacion):
        return True
    # An invited municipality registers its own staff.
    return (
        getattr(usuario, "rol", "") == Rol.MUNICIPAL
        and municipalidad is not None
        and usuario.municipalidad_id == municipalidad.pk
        and capacitacion.invitaciones.filter(municipalidad=municipalidad).exists()
    )


@transaction.atomic
def inscribir(
    *,
    capacitacion: Capacitacion,
    usuario: Any,
    nombre: str,
    email: str,
    institucion: str,
    unidad: str = "",
    run: str = "",
    municipalidad: Municipalidad | None = None,
) -> Inscripcion:
    """Register a participant; when the capacity is full they go to the waiting list."""
    bloqueada = Capacitacion.objects.select_for_update().get(pk=capacitacion.pk)
    if not _puede_inscribir(usuario, bloqueada, municipalidad):
        raise SinPermiso(_("No puede inscribir participantes en esta capacitación."))
    if not nombre.strip():
        raise ErrorDeNegocio(_("Indique el nombre del participante."))
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ErrorDeNegocio(_("El correo electrónico no es válido.")) from exc
    if run.strip():
        try:
            run = validar_run(run)
        except DocumentoInvalido as exc:
            raise ErrorDeNegocio(_("El RUN no es válido: revise el número y el dígito verificador.")) from exc
    email = email.strip().lower()
    if bloqueada.inscripciones.filter(email=email).exclude(estado=EstadoInscripcion.CANCELADA).exists():
        raise ErrorDeNegocio(_("Esa persona ya está inscrita en esta capacitación."))
    inscritas = bloqueada.inscripciones.filter(estado=EstadoInscripcion.INSCRITA).count()
    estado = EstadoInscripcion.INSCRITA if inscritas < bloqueada.cupo else EstadoInscripcion.LISTA_ESPERA
    previa = bloqueada.inscripciones.filter(email=email, estado=EstadoInscripcion.CANCELADA).first()
    if previa is not None:
        previa.estado, previa.nombre, previa.institucion, previa.unidad = estado, nombre.strip(), institucion, unidad
        previa.run, previa.municipalidad = run, municipalidad
        previa.save()
        return previa
    return Inscripcion.objects.create(
        capacitacion=bloqueada,
        nombre=nombre.strip(),
        run=run,
        email=email,
        institucion=institucion.strip(),
        unidad=unidad.strip(),
        municipalidad=municipalidad,
        estado=estado,
    )


@transaction.atomic
def inscripcion_cancelar(*, inscripcion: Inscripcion, usuario: Any) -> Inscripcion | None:
    """Cancel a registration; the first person on the waiting list takes the place (returned)."""
    capacitacion = Capacitacion.objects.select_for_update().get(pk=inscripcion.capacitacion_id)
    if not _puede_inscribir(usuario, capacitacion, inscripcion.municipalidad):
        raise SinPermiso(_("No puede cancelar esta inscripción."))
    # Re-read under the training's lock: two concurrent cancellations of the same registration
    # must not both free its place (and promote two people from the waiting list).
    inscripcion.refresh_from_db(fields=["estado"])
    if inscripcion.estado == EstadoInscripcion.CANCELADA:
        raise TransicionNoPermitida(_("La inscripción ya estaba cancelada."))
    liberaba_cupo = inscripcion.estado == EstadoInscripcion.INSCRITA
    inscripcion.estado = EstadoInscripcion.CANCELADA
    inscripcion.save(update_fields=["estado"])
    if not liberaba_cupo:
        return None
    siguiente = (
        capacitacion.inscripciones.filter(estado=EstadoInscripcion.LISTA_ESPERA).order_by("creada_en", "pk").first()
    )
    if siguiente is not None:
        siguiente.estado = EstadoInscripcion.INSCRITA
        siguiente.save(update_fields=["estado"])
    return siguiente


def _exigir_sesion_realizada(sesion: Sesion) -> None:
    if sesion.inicio > timezone.now():
        raise TransicionNoPermitida(_("No se puede registrar asistencia de una sesión que aún no ocurre."))


@transaction.atomic
def asistencia_marcar(*, sesion: Sesion, usuario: Any, marcas: dict[int, str]) -> int:
    """Mark attendance of registered participants for a session that already started."""
    _exigir_organizador(usuario, sesion.capacitacion)
    _exigir_sesion_realizada(sesion)
    validas = set(
        sesion.capacitacion.inscripciones.filter(estado=EstadoInscripcion.INSCRITA).values_list("pk", flat=True)
    )
    for inscripcion_id, estado in marcas.items():
        if inscripcion_id not in validas:
            raise ErrorDeNegocio(_("Hay participantes que no están inscritos en esta capacitación."))
        if estado not in EstadoAsistencia.values:
            raise ErrorDeNegocio(_("Estado de asistencia inválido."))
    for inscripcion_id, estado in marcas.items():
        Asistencia.objects.update_or_create(
            sesion=sesion, inscripcion_id=inscripcion_id, defaults={"estado": estado, "marcada_por": usuario}
        )
    return len(marcas)


@dataclass
class ErrorDeFila:
    fila: int
    mensaje: str


class ImportacionConErrores(ErrorDeNegocio):
    """Rows that failed; nothing was imported."""

    def __init__(self, errores: list[ErrorDeFila]) -> None:
        super().__init__(_("El archivo tiene %(n)d fila(s) con errores; no se importó nada.") % {"n": len(errores)})
        self.errores = errores


CSV_COLUMNAS = ("correo", "estado")
PELIGROSOS = ("=", "+", "-", "@", "\t", "\r")


def asistencia_importar_csv(*, sesion: Sesion, usuario: Any, contenido: bytes) -> int:
    """Import a session's attendance from CSV (documented template: ``correo;estado``, UTF-8).

    All or nothing: any bad row is reported (row number and reason) and nothing is imported.
    """
    _exigir_organizador(usuario, sesion.capacitacion)
    _exigir_sesion_realizada(sesion)
    try:
        texto = contenido.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ErrorDeNegocio(
            _("El archivo no está en UTF-8. Guárdelo como «CSV UTF-8» desde su planilla y vuelva a subirlo.")
        ) from exc
    muestra = texto[:2048]
    separador = ";" if muestra.count(";") >= muestra.count(",") else ","
    lector = csv.DictReader(io.StringIO(texto), delimiter=separador)
    columnas = [c.strip().lower() for c in (lector.fieldnames or [])]
    if not set(CSV_COLUMNAS) <= set(columnas):
        raise ErrorDeNegocio(
            _("El archivo debe tener las columnas «correo» y «estado» en la primera fila (plantilla).")
        )
    por_correo = {i.email: i.pk for i in sesion.capacitacion.inscripciones.filter(estado=EstadoInscripcion.INSCRITA)}
    marcas: dict[int, str] = {}
    errores: list[ErrorDeFila] = []
    for numero, fila in enumerate(lector, start=2):
        if numero - 1 > MAX_FILAS_CSV:
            raise ErrorDeNegocio(_("El archivo supera las %(n)d filas.") % {"n": MAX_FILAS_CSV})
        # Cells beyond the header (key None, a list) are ignored: a ";" inside a value (e.g. a
        # formula) must be reported for its row, not crash the import.
        datos = {k.strip().lower(): (v or "").strip() for k, v in fila.items() if isinstance(k, str)}
        correo, estado = datos.get("correo", "").lower(), datos.get("estado", "").lower()
        if not correo and not estado:
            continue
        if correo.startswith(PELIGROSOS) or estado.startswith(PELIGROSOS):
            errores.append(ErrorDeFila(numero, _("contiene una fórmula o un valor no permitido")))
        elif correo not in por_correo:
            errores.append(ErrorDeFila(numero, _("«%(c)s» no está inscrito/a en la capacitación") % {"c": correo}))
        elif estado not in EstadoAsistencia.values:
            errores.append(
                ErrorDeFila(
                    numero,
                    _("estado «%(e)s» inválido (use presente, atrasado, justificado o ausente)") % {"e": estado},
                )
            )
        elif por_correo[correo] in marcas:
            errores.append(ErrorDeFila(numero, _("«%(c)s» aparece más de una vez") % {"c": correo}))
        else:
            marcas[por_correo[correo]] = estado
    if errores:
        raise ImportacionConErrores(errores)
    if not marcas:
        raise ErrorDeNegocio(_("El archivo no tiene filas con asistencia."))
    return asistencia_marcar(sesion=sesion, usuario=usuario, marcas=marcas)


def porcentaje_asistencia(inscripcion: Inscripcion, total_sesiones: int) -> Decimal:
    if total_sesiones == 0:
        return Decimal(0)
    asistidas = sum(1 for a in inscripcion.asistencias.all() if a.estado in ASISTIO)
    return Decimal(asistidas * 100) / Decimal(total_sesiones)


def certificables(capacitacion: Capacitacion) -> QuerySet[Inscripcion]:
    return capacitacion.inscripciones.filter(estado=EstadoInscripcion.INSCRITA).prefetch_related("asistencias")


@transaction.atomic
def certificados_emitir(*, capacitacion: Capacitacion) -> list[CertificadoCapacitacion]:
    """Issue certificates to the participants who attended the minimum share of sessions, once
    every session has ended. Idempotent: a participant never gets two certificates."""
    bloqueada = Capacitacion.objects.select_for_update().get(pk=capacitacion.pk)
    sesiones = list(bloqueada.sesiones.order_by("inicio"))
    if not sesiones:
        raise ErrorDeNegocio(_("La capacitación no tiene sesiones."))
    if sesiones[-1].fin > timezone.now():
        raise TransicionNoPermitida(_("Los certificados se emiten cuando terminó la última sesión."))
    organiza = (
        bloqueada.municipalidad_organizadora.nombre
        if bloqueada.municipalidad_organizadora
        else _("Servicio Nacional de Migraciones")
    )
    fechas = ", ".join(f"{s.inicio:%d/%m/%Y}" for s in sesiones)
    emitidos = []
    for inscripcion in certificables(bloqueada):
        if porcentaje_asistencia(inscripcion, len(sesiones)) < bloqueada.asistencia_minima:
            continue
        certificado, _creado = CertificadoCapacitacion.objects.get_or_create(
            inscripcion=inscripcion,
            defaults={
                "nombre": inscripcion.nombre,
                "titulo": bloqueada.titulo,
                "organiza": organiza,
                "fechas": fechas[:200],
                "horas": bloqueada.horas,
                "emitido_en": timezone.localdate(),
            },
        )
        emitidos.append(certificado)
    return emitidos


@transaction.atomic
def certificado_revocar(*, certificado: CertificadoCapacitacion, usuario: Any, motivo: str) -> CertificadoCapacitacion:
    bloqueado = (
        CertificadoCapacitacion.objects.select_for_update()
        .select_related("inscripcion__capacitacion")
        .get(pk=certificado.pk)
    )
    _exigir_organizador(usuario, bloqueado.inscripcion.capacitacion)
    if not motivo.strip():
        raise ErrorDeNegocio(_("Indique el motivo de la revocación."))
    if bloqueado.revocado_en is not None:
        raise TransicionNoPermitida(_("El certificado ya está revocado."))
    bloqueado.revocado_en = timezone.now()
    bloqueado.motivo_revocacion = motivo.strip()
    bloqueado.save()
    return bloqueado


@transaction.atomic
def encuesta_responder(
    *, token: str, general: int, contenidos: int, relatores: int, utilidad: int, comentario: str = ""
) -> Encuesta:
    """A participant answers the survey through their unguessable link, once, after the training."""
    inscripcion = Inscripcion.objects.select_for_update().filter(token_encuesta=token).first()
    if inscripcion is None or inscripcion.estado != EstadoInscripcion.INSCRITA:
        raise ErrorDeNegocio(_("El enlace de la encuesta no es válido."))
    if Encuesta.objects.filter(inscripcion=inscripcion).exists():
        raise TransicionNoPermitida(_("Esta encuesta ya fue respondida. ¡Gracias!"))
    ultima = inscripcion.capacitacion.sesiones.order_by("-fin").first()
    if ultima is None or ultima.fin > timezone.now():
        raise TransicionNoPermitida(_("La encuesta se responde después de la capacitación."))
    notas = (general, contenidos, relatores, utilidad)
    if any(not 1 <= n <= 5 for n in notas):
        raise ErrorDeNegocio(_("Las notas van de 1 a 5."))
    return Encuesta.objects.create(
        inscripcion=inscripcion,
        general=general,
        contenidos=contenidos,
        relatores=relatores,
        utilidad=utilidad,
        comentario=comentario.strip()[:2000],
    )


@transaction.atomic
def dispositivo_registrar(
    *,
    usuario: Any,
    comuna: Comuna,
    tipo: str,
    fecha: Any,
    lugar: str,
    servicios: list[str],
    instituciones: str,
    mujeres: int,
    hombres: int,
    otros: int,
    nna: int,
    mayores_60: int,
) -> DispositivoTerritorial:
    """Record an operativo (aggregate counts only) in a comuna of the user's territory."""
    if getattr(usuario, "rol", "") not in (Rol.MUNICIPAL, Rol.REGIONAL, Rol.NACIONAL):
        raise SinPermiso(_("Su rol no permite registrar operativos."))
    municipalidad = Municipalidad.objects.select_related("comuna").get(comuna=comuna)
    if not puede_editar(usuario, municipalidad):
        raise SinPermiso(_("Solo puede registrar operativos en su territorio."))
    if tipo not in TipoDispositivo.values:
        raise ErrorDeNegocio(_("Tipo de operativo inválido."))
    if not lugar.strip():
        raise ErrorDeNegocio(_("Indique el lugar del operativo."))
    if fecha > timezone.localdate():
        raise ErrorDeNegocio(_("La fecha del operativo no puede ser futura."))
    if not servicios or any(s not in Servicio.values for s in servicios):
        raise ErrorDeNegocio(_("Indique los servicios ofrecidos."))
    cifras = (mujeres, hombres, otros, nna, mayores_60)
    if any(c < 0 for c in cifras):
        raise ErrorDeNegocio(_("Las cantidades no pueden ser negativas."))
    total = mujeres + hombres + otros
    if nna > total or mayores_60 > total:
        raise ErrorDeNegocio(_("Los subtotales (NNA, 60 años o más) no pueden superar el total de personas atendidas."))
    return DispositivoTerritorial.objects.create(
        tipo=tipo,
        fecha=fecha,
        lugar=lugar.strip(),
        comuna=comuna,
        servicios=servicios,
        instituciones=instituciones.strip(),
        mujeres=mujeres,
        hombres=hombres,
        otros=otros,
        nna=nna,
        mayores_60=mayores_60,
        registrado_por=usuario,
    )


@transaction.atomic
def buena_practica_enviar(*, usuario: Any, datos: dict[str, Any]) -> BuenaPractica:
    """A municipality submits a practice for SERMIG national's review."""
    if getattr(usuario, "rol", "") != Rol.MUNICIPAL or not usuario.municipalidad_id:
        raise SinPermiso(_("Las buenas prácticas las presentan las municipalidades."))
    lineas = [int(x) for x in datos.get("lineas", [])]
    if not lineas or any(x not in Linea.values for x in lineas):
        raise ErrorDeNegocio(_("Indique al menos una línea de acción."))
    anio = int(datos.get("anio_inicio", 0))
    if not 1990 <= anio <= timezone.localdate().year:
        raise ErrorDeNegocio(_("El año de inicio no es válido."))
    obligatorios = {
        "nombre": _("nombre"),
        "responsable": _("ministerio o unidad responsable"),
        "descripcion": _("descripción"),
        "objetivos": _("objetivos"),
        "actividades": _("principales actividades"),
    }
    for campo, etiqueta in obligatorios.items():
        if not str(datos.get(campo, "")).strip():
            raise ErrorDeNegocio(_("Complete el campo «%(c)s».") % {"c": etiqueta})
    campos = {
        c: str(datos.get(c, "")).strip()
        for c in (
            "nombre",
            "responsable",
            "base_legal",
            "descripcion",
            "objetivos",
            "actividades",
            "indicadores",
            "medios_verificacion",
            "resultados",
        )
    }
    return BuenaPractica.objects.create(
        comuna_id=usuario.municipalidad.comuna_id,
        anio_inicio=anio,
        lineas=sorted(set(lineas)),
        estado=EstadoPractica.ENVIADA,
        enviada_por=usuario,
        **campos,
    )


@transaction.atomic
def buena_practica_revisar(
    *, practica: BuenaPractica, usuario: Any, publicar: bool, comentario: str = ""
) -> BuenaPractica:
    """SERMIG national publishes a submitted practice, or returns it with observations."""
    if getattr(usuario, "rol", "") != Rol.NACIONAL:
        raise SinPermiso(_("Solo la coordinación nacional publica buenas prácticas."))
    bloqueada = BuenaPractica.objects.select_for_update().get(pk=practica.pk)
    if bloqueada.estado != EstadoPractica.ENVIADA:
        raise TransicionNoPermitida(_("La práctica no está enviada a revisión."))
    if not publicar and not comentario.strip():
        raise ErrorDeNegocio(_("Indique las observaciones."))
    bloqueada.estado = EstadoPractica.PUBLICADA if publicar else EstadoPractica.OBSERVADA
    bloqueada.publicada_en = timezone.now() if publicar else None
    bloqueada.comentario_revision = comentario.strip()
    bloqueada.save()
    return bloqueada
