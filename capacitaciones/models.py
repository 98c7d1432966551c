"""Trainings with sessions, registration, attendance and verifiable certificates; territorial
devices (operativos) and the catalogue of good practices (PRODUCT.md §5)."""

import secrets
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from municipios.models import Comuna, Municipalidad, Region, Rol


class Tema(models.TextChoices):
    REGULARIZACION = "regularizacion", _("Regularización migratoria")
    INTERCULTURALIDAD = "interculturalidad", _("Interculturalidad")
    GENERO = "genero", _("Género y migración")
    NNA = "nna", _("Niños, niñas y adolescentes migrantes")
    DERECHOS = "derechos", _("Derechos de las personas migrantes")
    ATENCION = "atencion", _("Atención de público")
    OTRO = "otro", _("Otro")


class Modalidad(models.TextChoices):
    PRESENCIAL = "presencial", _("Presencial")
    VIRTUAL = "virtual", _("Virtual")
    MIXTA = "mixta", _("Mixta")


class Organizador(models.TextChoices):
    SERMIG_NACIONAL = "sermig_nacional", _("SERMIG nacional")
    SERMIG_REGIONAL = "sermig_regional", _("SERMIG regional")
    MUNICIPALIDAD = "municipalidad", _("Municipalidad")


class Audiencia(models.TextChoices):
    DIDECO = "dideco", _("DIDECO")
    OMIL = "omil", _("OMIL")
    CESFAM = "cesfam", _("CESFAM / salud")
    EDUCACION = "educacion", _("Establecimientos educacionales")
    POLICIAS = "policias", _("Carabineros / PDI")
    OTRA = "otra", _("Otra unidad")


class Capacitacion(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    titulo = models.CharField(_("título"), max_length=200)
    tema = models.CharField(_("tema"), max_length=20, choices=Tema.choices)
    modalidad = models.CharField(_("modalidad"), max_length=12, choices=Modalidad.choices)
    descripcion = models.TextField(_("descripción"), blank=True)
    organizador = models.CharField(_("organiza"), max_length=20, choices=Organizador.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("región")
    )
    municipalidad_organizadora = models.ForeignKey(
        Municipalidad,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="capacitaciones_organizadas",
        verbose_name=_("municipalidad organizadora"),
    )
    invitadas = models.ManyToManyField(
        Municipalidad, through="Invitacion", related_name="capacitaciones_invitadas", verbose_name=_("invitadas")
    )
    audiencias = models.JSONField(_("unidades destinatarias"), default=list, blank=True)
    cupo = models.PositiveIntegerField(_("cupo"))
    horas = models.DecimalField(_("horas"), max_digits=5, decimal_places=1)
    asistencia_minima = models.PositiveSmallIntegerField(_("asistencia mínima para certificar (%)"), default=75)
    creada_por = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    creada_en = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("capacitación")
        verbose_name_plural = _("capacitaciones")
        ordering = ["-creada_en", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(asistencia_minima__gte=1, asistencia_minima__lte=100), name="capacitacion_asistencia_minima"
            ),
            models.CheckConstraint(
                condition=~Q(organizador="municipalidad") | Q(municipalidad_organizadora__isnull=False),
                name="capacitacion_municipal_con_organizadora",
            ),
            models.CheckConstraint(
                condition=~Q(organizador="sermig_regional") | Q(region__isnull=False),
                name="capacitacion_regional_con_region",
            ),
        ]

    def __str__(self) -> str:
        return self.titulo

    @classmethod
    def filtro_alcance(cls, user: Any) -> Q | None:
        """Who sees a training: national staff all; regional staff those of their región
        (organised there or inviting its municipalities); municipal officers those open to their
        municipality and those it organises. ``None`` = nothing."""
        rol = getattr(user, "rol", "")
        if rol == Rol.NACIONAL:
            return Q()
        if rol == Rol.REGIONAL and getattr(user, "region_id", None):
            invita_region = Invitacion.objects.filter(
                capacitacion=OuterRef("pk"),
                municipalidad__comuna__region_id=user.region_id,
            )
            return (
                Q(region_id=user.region_id)
                | Q(municipalidad_organizadora__comuna__region_id=user.region_id)
                | Q(Exists(invita_region))
            )
        if rol == Rol.MUNICIPAL and getattr(user, "municipalidad_id", None):
            invitada = Invitacion.objects.filter(capacitacion=OuterRef("pk"), municipalidad_id=user.municipalidad_id)
            return Q(municipalidad_organizadora_id=user.municipalidad_id) | Q(Exists(invitada))
        return None


class Invitacion(models.Model):
    capacitacion = models.ForeignKey(Capacitacion, on_delete=models.CASCADE, related_name="invitaciones")
    municipalidad = models.ForeignKey(Municipalidad, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["capacitacion", "municipalidad"], name="invitacion_unica"),
        ]

    def __str__(self) -> str:
        return f"{self.capacitacion} → {self.municipalidad}"


class Sesion(models.Model):
    capacitacion = models.ForeignKey(Capacitacion, on_delete=models.CASCADE, related_name="sesiones")
    inicio = models.DateTimeField(_("inicio"))
    fin = models.DateTimeField(_("término"))
    lugar = models.CharField(_("lugar o enlace"), max_length=200)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sesión")
        verbose_name_plural = _("sesiones")
        ordering = ["inicio", "pk"]
        constraints = [models.CheckConstraint(condition=Q(fin__gt=models.F("inicio")), name="sesion_fin_despues")]

    def __str__(self) -> str:
        return f"{self.capacitacion} · {self.inicio:%Y-%m-%d %H:%M}"


def nuevo_codigo() -> str:
    return secrets.token_urlsafe(16)


class EstadoInscripcion(models.TextChoices):
    INSCRITA = "inscrita", _("Inscrita")
    LISTA_ESPERA = "espera", _("En lista de espera")
    CANCELADA = "cancelada", _("Cancelada")


class Inscripcion(models.Model):
    """A participant (personal data: minimum necessary)."""

    capacitacion = models.ForeignKey(Capacitacion, on_delete=models.CASCADE, related_name="inscripciones")
    nombre = models.CharField(_("nombre completo"), max_length=160)
    run = models.CharField(_("RUN"), max_length=12, blank=True)
    email = models.EmailField(_("correo electrónico"))
    institucion = models.CharField(_("institución"), max_length=160)
    unidad = models.CharField(_("unidad"), max_length=120, blank=True)
    municipalidad = models.ForeignKey(
        Municipalidad,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipalidad"),
    )
    estado = models.CharField(max_length=10, choices=EstadoInscripcion.choices, default=EstadoInscripcion.INSCRITA)
    # Unguessable link for the participant's satisfaction survey (participants have no account).
    token_encuesta = models.CharField(max_length=40, unique=True, default=nuevo_codigo)
    creada_en = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inscripción")
        verbose_name_plural = _("inscripciones")
        ordering = ["creada_en", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["capacitacion", "email"], name="inscripcion_unica_por_correo"),
        ]

    def __str__(self) -> str:
        return f"{self.nombre} · {self.capacitacion}"


class EstadoAsistencia(models.TextChoices):
    PRESENTE = "presente", _("Presente")
    ATRASADO = "atrasado", _("Atrasado/a")
    JUSTIFICADO = "justificado", _("Justificado/a")
    AUSENTE = "ausente", _("Ausente")


ASISTIO = (EstadoAsistencia.PRESENTE, EstadoAsistencia.ATRASADO)


class Asistencia(models.Model):
    sesion = models.ForeignKey(Sesion, on_delete=models.CASCADE, related_name="asistencias")
    inscripcion = models.ForeignKey(Inscripcion, on_delete=models.CASCADE, related_name="asistencias")
    estado = models.CharField(max_length=12, choices=EstadoAsistencia.choices)
    marcada_por = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    marcada_en = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("asistencia")
        verbose_name_plural = _("asistencias")
        constraints = [models.UniqueConstraint(fields=["sesion", "inscripcion"], name="asistencia_unica")]

    def __str__(self) -> str:
        return f"{self.inscripcion} · {self.sesion}: {self.estado}"


class CertificadoCapacitacion(models.Model):
    """Issued facts are stored here, so later edits of the training never change it."""

    inscripcion = models.OneToOneField(Inscripcion, on_delete=models.PROTECT, related_name="certificado")
    codigo = models.CharField(max_length=40, unique=True, default=nuevo_codigo)
    nombre = models.CharField(max_length=160)
    titulo = models.CharField(max_length=200)
    organiza = models.CharField(max_length=160)
    fechas = models.CharField(max_length=200)
    horas = models.DecimalField(max_digits=5, decimal_places=1)
    emitido_en = models.DateField()
    revocado_en = models.DateTimeField(null=True, blank=True)
    motivo_revocacion = models.TextField(blank=True)
    pdf = models.ForeignKey("sello.Archivo", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("certificado de capacitación")
        verbose_name_plural = _("certificados de capacitación")

    def __str__(self) -> str:
        return f"{self.nombre} · {self.titulo}"


class Encuesta(models.Model):
    """The short satisfaction survey (one per participant)."""

    inscripcion = models.OneToOneField(Inscripcion, on_delete=models.CASCADE, related_name="encuesta")
    general = models.PositiveSmallIntegerField(_("satisfacción general"))
    contenidos = models.PositiveSmallIntegerField(_("contenidos"))
    relatores = models.PositiveSmallIntegerField(_("relatores"))
    utilidad = models.PositiveSmallIntegerField(_("utilidad para su trabajo"))
    comentario = models.TextField(_("comentario"), blank=True)
    respondida_en = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("encuesta de satisfacción")
        verbose_name_plural = _("encuestas de satisfacción")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    general__range=(1, 5), contenidos__range=(1, 5), relatores__range=(1, 5), utilidad__range=(1, 5)
                ),
                name="encuesta_notas_1_a_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.inscripcion}: {self.general}"


class TipoDispositivo(models.TextChoices):
    BARRIO = "migraciones_en_tu_barrio", _("Migraciones en tu barrio")
    MUJER = "apoya_mujer_migrante", _("Apoya Mujer Migrante")
    OTRO = "otro", _("Otro operativo")


class Servicio(models.TextChoices):
    ORIENTACION = "orientacion", _("Orientación")
    REGULARIZACION = "regularizacion", _("Regularización")
    ENROLAMIENTO = "enrolamiento", _("Enrolamiento biométrico")
    SALUD = "salud", _("Salud")
    EDUCACION = "educacion", _("Educación")
    OTRO = "otro", _("Otro")


class DispositivoTerritorial(models.Model):
    """An operativo: counts of people attended by sex and age band, no personal data."""

    TERRITORIO = "comuna"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tipo = models.CharField(_("tipo"), max_length=30, choices=TipoDispositivo.choices)
    fecha = models.DateField(_("fecha"))
    lugar = models.CharField(_("lugar"), max_length=200)
    comuna = models.ForeignKey(Comuna, on_delete=models.PROTECT, related_name="+", verbose_name=_("comuna"))
    servicios = models.JSONField(_("servicios ofrecidos"), default=list)
    instituciones = models.CharField(_("instituciones presentes"), max_length=300, blank=True)
    mujeres = models.PositiveIntegerField(_("mujeres atendidas"), default=0)
    hombres = models.PositiveIntegerField(_("hombres atendidos"), default=0)
    otros = models.PositiveIntegerField(_("otras personas atendidas"), default=0)
    nna = models.PositiveIntegerField(_("de ellas, NNA"), default=0)
    mayores_60 = models.PositiveIntegerField(_("de ellas, 60 años o más"), default=0)
    registrado_por = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registrado_en = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dispositivo territorial")
        verbose_name_plural = _("dispositivos territoriales")
        ordering = ["-fecha", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(nna__lte=models.F("mujeres") + models.F("hombres") + models.F("otros"))
                & Q(mayores_60__lte=models.F("mujeres") + models.F("hombres") + models.F("otros")),
                name="dispositivo_subtotales_coherentes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_tipo_display()} · {self.comuna} · {self.fecha}"

    @property
    def total(self) -> int:
        return self.mujeres + self.hombres + self.otros


class EstadoPractica(models.TextChoices):
    BORRADOR = "borrador", _("Borrador")
    ENVIADA = "enviada", _("Enviada a revisión")
    PUBLICADA = "publicada", _("Publicada")
    OBSERVADA = "observada", _("Observada")


class BuenaPractica(models.Model):
    """A local-governance practice, with the fields of SERMIG's catalogue."""

    TERRITORIO = "comuna"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    comuna = models.ForeignKey(Comuna, on_delete=models.PROTECT, related_name="+", verbose_name=_("comuna"))
    nombre = models.CharField(_("nombre"), max_length=200)
    anio_inicio = models.PositiveSmallIntegerField(_("año de inicio"))
    responsable = models.CharField(_("ministerio o unidad responsable"), max_length=200)
    base_legal = models.TextField(_("base legal"), blank=True)
    descripcion = models.TextField(_("descripción"))
    objetivos = models.TextField(_("objetivos"))
    actividades = models.TextField(_("principales actividades"))
    indicadores = models.TextField(_("indicadores"), blank=True)
    medios_verificacion = models.TextField(_("medios de verificación"), blank=True)
    resultados = models.TextField(_("resultados"), blank=True)
    lineas = models.JSONField(_("líneas de acción"), default=list)
    estado = models.CharField(max_length=10, choices=EstadoPractica.choices, default=EstadoPractica.BORRADOR)
    comentario_revision = models.TextField(blank=True)
    enviada_por = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    publicada_en = models.DateTimeField(null=True, blank=True)
    creada_en = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("buena práctica")
        verbose_name_plural = _("buenas prácticas")
        ordering = ["-publicada_en", "-creada_en"]
        indexes = [models.Index(fields=["estado", "anio_inicio"], name="practica_estado_anio")]

    def __str__(self) -> str:
        return self.nombre
