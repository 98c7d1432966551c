"""Training certificates: their PDF (rendered by a task, or on first download), what the public
verification page shows of them, and the reads behind the certificate and survey pages.

The issued facts (name, title, organiser, dates, hours) are read from the
``CertificadoCapacitacion`` row, never from the training: editing a training later does not
change a certificate already issued.
"""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Min, Q, QuerySet
from django.template.defaultfilters import floatformat
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from municipios.models import Municipalidad
from municipios.scoping import puede_editar, scoped
from sello import archivos
from sello.pdf import qr_svg_data_uri, render_pdf
from sello.services.certificados import url_verificacion
from sello.verificacion import EstadoCertificado, Verificacion, codigo_valido

from .models import ASISTIO, Capacitacion, CertificadoCapacitacion, EstadoInscripcion, Inscripcion
from .services import puede_organizar


# --- PDF ------------------------------------------------------------------------------------
def certificado_pdf_generar(certificado_id: int) -> CertificadoCapacitacion:
    """Render and attach the certificate's PDF. Idempotent: a certificate with a PDF is left as is.

    The stored file is attributed to the person who created the training (its organiser)."""
    certificado = CertificadoCapacitacion.objects.select_related("inscripcion__capacitacion").get(pk=certificado_id)
    if certificado.pdf_id is not None:
        return certificado
    url = url_verificacion(certificado.codigo)
    # Rendering (~0.2 s) happens outside the transaction, so no row stays locked meanwhile.
    contenido = render_pdf(
        "pdf/capacitaciones/certificado.html",
        {"certificado": certificado, "horas": horas_legibles(certificado), "url": url, "qr": qr_svg_data_uri(url)},
    )
    with transaction.atomic():
        bloqueado = CertificadoCapacitacion.objects.select_for_update().get(pk=certificado.pk)
        if bloqueado.pdf_id is not None:  # another delivery of the task won the race
            return bloqueado
        bloqueado.pdf = archivos.guardar_generado(
            contenido=contenido,
            nombre=f"certificado-capacitacion-{slugify(bloqueado.nombre)[:60] or 'participante'}.pdf",
            tipo="application/pdf",
            usuario=certificado.inscripcion.capacitacion.creada_por,
        )
        bloqueado.save(update_fields=["pdf"])
    return bloqueado


def sin_pdf(capacitacion_id: int) -> list[int]:
    """Ids of the training's valid certificates still waiting for their PDF."""
    return list(
        CertificadoCapacitacion.objects.filter(
            inscripcion__capacitacion_id=capacitacion_id, pdf__isnull=True, revocado_en__isnull=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def horas_legibles(certificado: CertificadoCapacitacion) -> str:
    """``6.0`` -> "6", ``7.5`` -> "7,5" (es-CL)."""
    return str(floatformat(certificado.horas, -1))


# --- Public verification (registered in sello.verificacion by the app's ready()) -------------
def certificado_de_capacitacion(codigo: str) -> Verificacion | None:
    """A training certificate by its code, with only what it states publicly (one query).

    Unscoped on purpose, like the seal's: whoever holds the printed certificate may check it;
    only the certificate's own facts are returned (no e-mail, RUN, institution or attendance)."""
    certificado = (
        CertificadoCapacitacion.objects.only(
            "nombre", "titulo", "organiza", "fechas", "horas", "emitido_en", "revocado_en"
        )
        .filter(codigo=codigo)
        .first()
    )
    if certificado is None:
        return None
    return Verificacion(
        tipo=_("Certificado de capacitación"),
        titular=certificado.nombre,
        estado=EstadoCertificado.REVOCADO if certificado.revocado_en else EstadoCertificado.VALIDO,
        revocado_en=certificado.revocado_en,
        acredita=_("la capacitación «%(titulo)s»") % {"titulo": certificado.titulo},
        detalles=(
            (_("Capacitación"), certificado.titulo),
            (_("Organiza"), certificado.organiza),
            (_("Fechas"), certificado.fechas),
            (_("Horas"), horas_legibles(certificado)),
            (_("Emitido el"), formats.date_format(certificado.emitido_en, "j/m/Y")),
        ),
    )


# --- Certificates page ----------------------------------------------------------------------
@dataclass(frozen=True)
class Participante:
    inscripcion: Inscripcion
    asistidas: int
    cumple: bool

    @property
    def certificado(self) -> CertificadoCapacitacion | None:
        certificado: CertificadoCapacitacion | None = getattr(self.inscripcion, "certificado", None)
        return certificado


@dataclass(frozen=True)
class Certificacion:
    """Who qualifies for a certificate in a training and how far the issuing has gone."""

    capacitacion: Capacitacion
    organiza: bool
    participantes: list[Participante]
    total_sesiones: int
    terminada: bool

    @property
    def elegibles(self) -> int:
        return sum(1 for p in self.participantes if p.cumple)

    @property
    def emitidos(self) -> int:
        return sum(1 for p in self.participantes if p.certificado is not None)

    @property
    def revocados(self) -> int:
        return sum(1 for p in self.participantes if p.certificado is not None and p.certificado.revocado_en)

    @property
    def validos(self) -> int:
        return self.emitidos - self.revocados

    @property
    def pdf_listos(self) -> int:
        """Valid certificates whose PDF is stored."""
        return sum(
            1
            for p in self.participantes
            if p.certificado is not None and p.certificado.pdf_id and not p.certificado.revocado_en
        )

    @property
    def pdf_pendientes(self) -> int:
        return self.validos - self.pdf_listos


def certificacion(*, capacitacion: Capacitacion, usuario: Any) -> Certificacion:
    """The participants of a training the user may see, with attendance, eligibility, certificate
    and survey (two queries, whatever the number of participants).

    The organiser sees everybody; other people who see the training (the invited
    municipality's officers, the región's SERMIG staff) see only the participants of the
    municipalities of their territory. Eligibility is the rule of
    ``services.certificados_emitir``: attended (present or late) at least the minimum share."""
    sesiones = capacitacion.sesiones.aggregate(total=Count("pk"), ultima=Max("fin"))
    total, ultima = sesiones["total"], sesiones["ultima"]
    organiza = puede_organizar(usuario, capacitacion)
    qs: QuerySet[Inscripcion] = (
        capacitacion.inscripciones.filter(Q(estado=EstadoInscripcion.INSCRITA) | Q(certificado__isnull=False))
        .select_related("municipalidad", "certificado", "encuesta")
        .annotate(asistidas=Count("asistencias", filter=Q(asistencias__estado__in=ASISTIO)))
        .order_by("nombre", "pk")
    )
    if not organiza:
        # write=True: the territory the user oversees (the Comité Evaluador reads municipalities
        # everywhere, but oversees none).
        qs = qs.filter(municipalidad__in=scoped(usuario, Municipalidad.objects.all(), write=True))
    participantes = []
    for i in qs:
        asistidas: int = i.__dict__["asistidas"]  # the Count annotation above
        participantes.append(
            Participante(
                inscripcion=i,
                asistidas=asistidas,
                cumple=(
                    i.estado == EstadoInscripcion.INSCRITA
                    and total > 0
                    and asistidas * 100 >= capacitacion.asistencia_minima * total
                ),
            )
        )
    return Certificacion(
        capacitacion=capacitacion,
        organiza=organiza,
        participantes=participantes,
        total_sesiones=total,
        terminada=ultima is not None and ultima <= timezone.now(),
    )


def certificados_visibles(*, usuario: Any) -> QuerySet[CertificadoCapacitacion]:
    """Certificates of the trainings the user sees (through the scoping helper); whether the
    user may have a given one is decided by :func:`puede_descargar`."""
    return CertificadoCapacitacion.objects.select_related(
        "inscripcion__capacitacion", "inscripcion__municipalidad__comuna", "pdf"
    ).filter(inscripcion__capacitacion__in=scoped(usuario, Capacitacion.objects.all()))


def puede_descargar(usuario: Any, certificado: CertificadoCapacitacion) -> bool:
    """The organiser, or whoever oversees the participant's municipality (its officers, the
    región's SERMIG staff, national staff). Assumes the training is visible to the user."""
    inscripcion = certificado.inscripcion
    if puede_organizar(usuario, inscripcion.capacitacion):
        return True
    return inscripcion.municipalidad is not None and puede_editar(usuario, inscripcion.municipalidad)


# --- Satisfaction survey (public, by unguessable token) --------------------------------------
@dataclass(frozen=True)
class EncuestaPublica:
    titulo: str
    respondida: bool
    disponible: bool  # the training has started: the survey can be answered


def encuesta_por_token(token: str) -> EncuestaPublica | None:
    """What the public survey page shows for ``token`` (one query), or ``None`` when the link is
    not valid. The token is the authorisation: participants have no account. Nothing personal
    is returned, only the training's title and whether the survey can still be answered."""
    if not codigo_valido(token):
        return None
    inscripcion = (
        Inscripcion.objects.filter(token_encuesta=token, estado=EstadoInscripcion.INSCRITA)
        .select_related("capacitacion", "encuesta")
        .annotate(primera=Min("capacitacion__sesiones__inicio"))
        .first()
    )
    if inscripcion is None:
        return None
    primera = inscripcion.primera
    return EncuestaPublica(
        titulo=inscripcion.capacitacion.titulo,
        respondida=hasattr(inscripcion, "encuesta"),
        disponible=primera is not None and primera <= timezone.now(),
    )
