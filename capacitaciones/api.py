"""Read API of trainings (``/api/v1/capacitaciones/``), operativos (``/api/v1/dispositivos/``)
and the good-practices library (``/api/v1/buenas-practicas/``).

Scoped exactly like the pages: trainings through ``Capacitacion.filtro_alcance`` (national staff
all, regional staff their región's, municipal officers those open to their municipality and
those it organises), operativos by comuna; published good practices are read by every logged-in
user. Anything outside the user's scope answers 404.

Personal data: lists carry counts only. The detail of a training names its participants (name,
institution, unit; never the RUN nor the e-mail) only to whoever organises it.
"""

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from sello.models import Linea

from .filters import BuenaPracticaFilter, CapacitacionFilter, DispositivoFilter
from .models import (
    Audiencia,
    BuenaPractica,
    Capacitacion,
    DispositivoTerritorial,
    EstadoAsistencia,
    EstadoInscripcion,
    Inscripcion,
    Invitacion,
    Servicio,
    Sesion,
)
from .selectors import buenas_practicas_publicadas, capacitaciones_visibles, dispositivos_visibles
from .services import puede_organizar

# --- Capacitaciones -----------------------------------------------------------------------


class CapacitacionMunicipalidadSerializer(serializers.Serializer[Any]):
    uuid = serializers.UUIDField()
    nombre = serializers.CharField()
    comuna = serializers.CharField(source="comuna_id", help_text=_("CUT de la comuna."))

    class Meta:
        ref_name = "CapacitacionMunicipalidad"


class SesionSerializer(serializers.ModelSerializer[Sesion]):
    presentes = serializers.IntegerField()
    atrasados = serializers.IntegerField(help_text=_("Llegaron atrasados: cuentan como asistencia."))
    justificados = serializers.IntegerField(help_text=_("Inasistencia justificada: no cuenta como asistencia."))
    ausentes = serializers.IntegerField()

    class Meta:
        model = Sesion
        ref_name = "CapacitacionSesion"
        fields = ["inicio", "fin", "lugar", "presentes", "atrasados", "justificados", "ausentes"]


class ParticipanteSerializer(serializers.ModelSerializer[Inscripcion]):
    estado = serializers.ChoiceField(choices=EstadoInscripcion.choices)
    estado_label = serializers.CharField(source="get_estado_display")

    class Meta:
        model = Inscripcion
        ref_name = "CapacitacionParticipante"
        fields = ["nombre", "institucion", "unidad", "estado", "estado_label"]


class CapacitacionSerializer(serializers.ModelSerializer[Capacitacion]):
    """What lists show: the training, its sessions and counts; no participant's data."""

    tema_label = serializers.CharField(source="get_tema_display")
    modalidad_label = serializers.CharField(source="get_modalidad_display")
    organizador_label = serializers.CharField(source="get_organizador_display")
    region = serializers.CharField(
        source="region_id", allow_null=True, help_text=_("CUT de la región (capacitaciones del SERMIG regional).")
    )
    municipalidad_organizadora = CapacitacionMunicipalidadSerializer(
        allow_null=True, help_text=_("La municipalidad que organiza (capacitaciones municipales).")
    )
    invitadas = serializers.SerializerMethodField(help_text=_("Municipalidades invitadas."))
    audiencias = serializers.ListField(child=serializers.ChoiceField(choices=Audiencia.choices))
    asistencia_minima = serializers.IntegerField(
        help_text=_("Porcentaje mínimo de sesiones asistidas (presente o atrasado) para certificar.")
    )
    inscritas = serializers.IntegerField(source="n_inscritas", help_text=_("Personas inscritas (con cupo)."))
    en_lista_de_espera = serializers.IntegerField(source="n_espera")
    sesiones = SesionSerializer(many=True, help_text=_("Sesiones en orden, con la asistencia registrada."))

    class Meta:
        model = Capacitacion
        ref_name = "Capacitacion"
        fields = [
            "uuid",
            "titulo",
            "tema",
            "tema_label",
            "modalidad",
            "modalidad_label",
            "organizador",
            "organizador_label",
            "region",
            "municipalidad_organizadora",
            "invitadas",
            "audiencias",
            "cupo",
            "horas",
            "asistencia_minima",
            "inscritas",
            "en_lista_de_espera",
            "sesiones",
            "creada_en",
        ]

    @extend_schema_field(CapacitacionMunicipalidadSerializer(many=True))
    def get_invitadas(self, obj: Capacitacion) -> list[dict[str, Any]]:
        # Prefetched by the viewset (with each municipality), ordered by name.
        municipalidades = [invitacion.municipalidad for invitacion in obj.invitaciones.all()]
        return list(CapacitacionMunicipalidadSerializer(municipalidades, many=True).data)


class CapacitacionDetalleSerializer(CapacitacionSerializer):
    participantes = serializers.SerializerMethodField(
        help_text=_(
            "Solo para quien organiza (null para el resto): inscritas y en lista de espera, en orden de "
            "inscripción. Nunca el RUN ni el correo."
        )
    )

    class Meta(CapacitacionSerializer.Meta):
        ref_name = "CapacitacionDetalle"
        fields = [*CapacitacionSerializer.Meta.fields, "descripcion", "participantes"]

    @extend_schema_field(ParticipanteSerializer(many=True, allow_null=True))
    def get_participantes(self, obj: Capacitacion) -> list[dict[str, Any]] | None:
        participantes = self.context.get("participantes")
        if participantes is None:
            return None
        return list(ParticipanteSerializer(participantes, many=True).data)


def sesiones_con_asistencia() -> QuerySet[Sesion]:
    """Sessions with their attendance counted by state, in one query for a whole page."""

    def contar(estado: str) -> Count:
        return Count("asistencias", filter=Q(asistencias__estado=estado))

    return Sesion.objects.annotate(
        presentes=contar(EstadoAsistencia.PRESENTE),
        atrasados=contar(EstadoAsistencia.ATRASADO),
        justificados=contar(EstadoAsistencia.JUSTIFICADO),
        ausentes=contar(EstadoAsistencia.AUSENTE),
    ).order_by("inicio", "pk")


class CapacitacionViewSet(viewsets.ReadOnlyModelViewSet[Capacitacion]):
    """Trainings the user may see (others answer 404; the Comité Evaluador sees none)."""

    serializer_class = CapacitacionSerializer
    filterset_class = CapacitacionFilter
    lookup_field = "uuid"
    cursor_ordering = ("-creada_en", "-pk")

    def get_queryset(self) -> QuerySet[Capacitacion]:
        # The page with its registration counts; its sessions with attendance counts; its
        # invitations with each municipality: three queries, whatever the number of rows.
        return capacitaciones_visibles(usuario=self.request.user).prefetch_related(
            Prefetch("sesiones", queryset=sesiones_con_asistencia()),
            Prefetch(
                "invitaciones",
                queryset=Invitacion.objects.select_related("municipalidad").order_by("municipalidad__nombre", "pk"),
            ),
        )

    @extend_schema(
        summary=_("Listar capacitaciones"),
        description=_(
            "Capacitaciones visibles para el usuario, de la más reciente a la más antigua (paginación por "
            "cursor): el SERMIG regional ve las de su región, una municipalidad las que organiza y aquellas "
            "a las que está invitada. Con sus sesiones, inscritas, lista de espera y asistencia por sesión; "
            "sin datos personales de participantes."
        ),
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary=_("Ver una capacitación"),
        description=_(
            "La capacitación con su descripción; quien la organiza ve además a sus participantes (nombre, "
            "institución y unidad)."
        ),
        responses={200: CapacitacionDetalleSerializer},
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        capacitacion = self.get_object()  # scoped queryset: outside the user's scope is a 404
        participantes = None
        if puede_organizar(request.user, capacitacion):
            participantes = list(
                capacitacion.inscripciones.exclude(estado=EstadoInscripcion.CANCELADA).order_by("creada_en", "pk")
            )
        contexto = {**self.get_serializer_context(), "participantes": participantes}
        return Response(CapacitacionDetalleSerializer(capacitacion, context=contexto).data)


# --- Dispositivos territoriales -----------------------------------------------------------


class DispositivoSerializer(serializers.ModelSerializer[DispositivoTerritorial]):
    """An operativo: aggregate counts of people attended, no personal data."""

    tipo_label = serializers.CharField(source="get_tipo_display")
    comuna = serializers.CharField(source="comuna_id", help_text=_("CUT de la comuna."))
    comuna_nombre = serializers.CharField(source="comuna.nombre")
    region = serializers.CharField(source="comuna.region_id", help_text=_("CUT de la región."))
    servicios = serializers.ListField(child=serializers.ChoiceField(choices=Servicio.choices))
    total = serializers.IntegerField(help_text=_("Personas atendidas: mujeres + hombres + otras."))

    class Meta:
        model = DispositivoTerritorial
        ref_name = "Dispositivo"
        fields = [
            "uuid",
            "tipo",
            "tipo_label",
            "fecha",
            "lugar",
            "comuna",
            "comuna_nombre",
            "region",
            "servicios",
            "instituciones",
            "mujeres",
            "hombres",
            "otros",
            "nna",
            "mayores_60",
            "total",
            "registrado_en",
        ]


class DispositivoViewSet(viewsets.ReadOnlyModelViewSet[DispositivoTerritorial]):
    """Operativos (Migraciones en tu barrio, Apoya Mujer Migrante...) in the user's territory."""

    serializer_class = DispositivoSerializer
    filterset_class = DispositivoFilter
    lookup_field = "uuid"
    cursor_ordering = ("-fecha", "-pk")

    def get_queryset(self) -> QuerySet[DispositivoTerritorial]:
        return dispositivos_visibles(usuario=self.request.user)

    @extend_schema(
        summary=_("Listar operativos territoriales"),
        description=_(
            "Operativos del territorio del usuario, del más reciente al más antiguo (paginación por cursor), "
            "con las personas atendidas por sexo y tramo de edad (cifras agregadas, sin datos personales)."
        ),
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(summary=_("Ver un operativo territorial"))
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)


# --- Buenas prácticas ---------------------------------------------------------------------


class BuenaPracticaSerializer(serializers.ModelSerializer[BuenaPractica]):
    """What the library lists."""

    comuna = serializers.CharField(source="comuna_id", help_text=_("CUT de la comuna."))
    comuna_nombre = serializers.CharField(source="comuna.nombre")
    region = serializers.CharField(source="comuna.region_id", help_text=_("CUT de la región."))
    lineas = serializers.ListField(
        child=serializers.ChoiceField(choices=Linea.choices), help_text=_("Líneas de acción del Sello Migrante.")
    )

    class Meta:
        model = BuenaPractica
        ref_name = "BuenaPractica"
        fields = [
            "uuid",
            "nombre",
            "anio_inicio",
            "responsable",
            "comuna",
            "comuna_nombre",
            "region",
            "lineas",
            "descripcion",
            "publicada_en",
        ]


class BuenaPracticaDetalleSerializer(BuenaPracticaSerializer):
    """Every field of SERMIG's catalogue of local-governance practices."""

    class Meta(BuenaPracticaSerializer.Meta):
        ref_name = "BuenaPracticaDetalle"
        fields = [
            *BuenaPracticaSerializer.Meta.fields,
            "base_legal",
            "objetivos",
            "actividades",
            "indicadores",
            "medios_verificacion",
            "resultados",
        ]


class BuenaPracticaViewSet(viewsets.ReadOnlyModelViewSet[BuenaPractica]):
    """The library of published good practices (every logged-in user with a role)."""

    serializer_class = BuenaPracticaSerializer
    filterset_class = BuenaPracticaFilter
    lookup_field = "uuid"
    cursor_ordering = ("-creada_en", "-pk")

    def get_queryset(self) -> QuerySet[BuenaPractica]:
        practicas = buenas_practicas_publicadas()
        # Not territorial, but still fail-closed: a user without a role sees nothing.
        return practicas if getattr(self.request.user, "rol", "") else practicas.none()

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return BuenaPracticaDetalleSerializer if self.action == "retrieve" else BuenaPracticaSerializer

    @extend_schema(
        summary=_("Buscar buenas prácticas"),
        description=_(
            "Buenas prácticas de gobernanza local publicadas por el SERMIG, visibles para todo usuario "
            "autenticado; `q` busca en texto completo (nombre, descripción, objetivos, actividades, "
            "resultados y responsable)."
        ),
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(summary=_("Ver una buena práctica"), responses={200: BuenaPracticaDetalleSerializer})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)
