"""API of the seal: adhesions (read, and the municipality's own transitions) and evidence
(read, submit, review).

Reads go through the scoping helper (other territories answer 404); every write is one
endpoint calling one service, whose refusals (``sello.errores.ErrorDeNegocio``) the shared
exception handler turns into the one error format (400/403/409).
"""

from collections.abc import Callable
from functools import partial
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from municipios.scoping import get_scoped_or_404, scoped

from ..filters import AdhesionFilter, EvidenciaFilter
from ..models import AccionPlan, Adhesion, Evidencia, Linea, Puntaje
from ..selectors import adhesiones_visibles
from ..services import adhesion as adhesion_services
from ..services import evaluacion as evaluacion_services
from ..services import evidencias as evidencias_services
from ..transiciones import TRANSICIONES, transicionar

BIGINT_MAX = 2**63 - 1


def url_descarga_evidencia(evidencia: Evidencia, request: Request | None) -> str:
    """The permission-checked HTML download view of an evidence's file."""
    path = f"/sello/evidencias/{evidencia.uuid}/archivo/"
    return request.build_absolute_uri(path) if request is not None else path


def nombre_de(usuario: Any) -> str | None:
    # People are named, never identified by their internal id.
    if usuario is None:
        return None
    return str(usuario.get_full_name() or usuario.username)


# --- Adhesiones ---------------------------------------------------------------------------


class AdhesionMunicipalidadSerializer(serializers.Serializer[Any]):
    uuid = serializers.UUIDField()
    nombre = serializers.CharField()
    comuna = serializers.CharField(source="comuna_id", help_text=_("CUT de la comuna."))
    region = serializers.CharField(source="comuna.region_id", help_text=_("CUT de la región."))

    class Meta:
        ref_name = "AdhesionMunicipalidad"


class PuntajeLineaSerializer(serializers.Serializer[Any]):
    linea = serializers.IntegerField()
    nombre = serializers.CharField()
    porcentaje = serializers.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ref_name = "PuntajeLinea"


class PuntajeSerializer(serializers.ModelSerializer[Puntaje]):
    regla = serializers.IntegerField(
        source="regla.version", help_text=_("Versión de la regla de puntaje que produjo este puntaje.")
    )
    lineas = serializers.SerializerMethodField(help_text=_("Porcentaje cumplido de cada línea."))

    class Meta:
        model = Puntaje
        ref_name = "Puntaje"
        fields = ["regla", "lineas", "total", "cumple", "calculado_en"]

    @extend_schema_field(PuntajeLineaSerializer(many=True))
    def get_lineas(self, obj: Puntaje) -> list[dict[str, Any]]:
        return [
            {"linea": linea.value, "nombre": str(linea.label), "porcentaje": obj.por_linea.get(str(linea.value), "0")}
            for linea in Linea
        ]


class AdhesionViewSet(viewsets.ReadOnlyModelViewSet[Adhesion]):
    """Seal cycles within the user's territory (others answer 404), with their latest stored score."""

    class OutputSerializer(serializers.ModelSerializer[Adhesion]):
        municipalidad = AdhesionMunicipalidadSerializer()
        estado_label = serializers.CharField(source="get_estado_display")
        catalogo = serializers.CharField(source="catalogo.codigo", help_text=_("Código de la versión del catálogo."))
        regla = serializers.IntegerField(source="regla.version", help_text=_("Versión de la regla de puntaje."))
        version = serializers.IntegerField(help_text=_("Envíela de vuelta al transicionar (bloqueo optimista)."))
        puntaje = serializers.SerializerMethodField(help_text=_("Último puntaje registrado; null si aún no hay."))

        class Meta:
            model = Adhesion
            ref_name = "Adhesion"
            fields = [
                "uuid",
                "municipalidad",
                "ciclo",
                "estado",
                "estado_label",
                "fecha_adhesion",
                "acuerdo_concejo_numero",
                "acuerdo_concejo_fecha",
                "fecha_certificacion",
                "vigente_hasta",
                "catalogo",
                "regla",
                "version",
                "puntaje",
            ]

        @extend_schema_field(PuntajeSerializer(allow_null=True))
        def get_puntaje(self, obj: Adhesion) -> dict[str, Any] | None:
            ultimos = getattr(obj, "ultimo_puntaje", [])  # prefetched by the viewset
            return PuntajeSerializer(ultimos[0]).data if ultimos else None

    class TransicionInputSerializer(serializers.Serializer[Any]):
        accion = serializers.ChoiceField(
            choices=[
                (accion, TRANSICIONES[accion].etiqueta)
                for accion in ("iniciar_plan", "iniciar_implementacion", "solicitar_evaluacion")
            ]
        )
        version = serializers.IntegerField(min_value=1, max_value=BIGINT_MAX)
        comentario = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

        class Meta:
            ref_name = "AdhesionTransicion"

    # The municipality's own steps; each calls its service (which checks role, territory and state).
    SERVICIOS: dict[str, Callable[..., Any]] = {
        "iniciar_plan": adhesion_services.plan_iniciar,
        "iniciar_implementacion": partial(transicionar, accion="iniciar_implementacion"),
        "solicitar_evaluacion": evaluacion_services.evaluacion_solicitar,
    }

    serializer_class = OutputSerializer
    filterset_class = AdhesionFilter
    lookup_field = "uuid"
    cursor_ordering = "pk"
    documentar_conflictos = True

    def get_queryset(self) -> QuerySet[Adhesion]:
        # One query for the page, one for the latest score of each row on it.
        return adhesiones_visibles(usuario=self.request.user).prefetch_related(
            Prefetch(
                "puntajes",
                queryset=Puntaje.objects.select_related("regla").order_by("-calculado_en", "-pk")[:1],
                to_attr="ultimo_puntaje",
            )
        )

    @extend_schema(
        operation_id="adhesiones_transiciones_create",
        request=TransicionInputSerializer,
        responses={200: OutputSerializer},
        summary=_("Avanzar el sello de la municipalidad"),
        description=_(
            "Iniciar el plan de trabajo, iniciar la implementación o solicitar la evaluación. "
            "Solo la municipalidad; 409 si la versión no es la actual o el estado no lo permite."
        ),
    )
    @action(detail=True, methods=["post"], url_path="transiciones")
    def transiciones(self, request: Request, uuid: str | None = None) -> Response:
        adhesion = self.get_object()  # scoped queryset: another territory is a 404
        entrada = self.TransicionInputSerializer(data=request.data)
        entrada.is_valid(raise_exception=True)
        datos = entrada.validated_data
        self.SERVICIOS[datos["accion"]](
            adhesion=adhesion, usuario=request.user, version=datos["version"], comentario=datos["comentario"]
        )
        actualizada = self.get_queryset().get(pk=adhesion.pk)
        return Response(self.OutputSerializer(actualizada, context=self.get_serializer_context()).data)


# --- Evidencias ---------------------------------------------------------------------------


class EvidenciaAccionSerializer(serializers.ModelSerializer[AccionPlan]):
    linea_nombre = serializers.CharField(source="get_linea_display")

    class Meta:
        model = AccionPlan
        ref_name = "EvidenciaAccion"
        fields = ["id", "nombre", "linea", "linea_nombre"]


class EvidenciaArchivoSerializer(serializers.Serializer[Any]):
    nombre_original = serializers.CharField()
    tamano = serializers.IntegerField(help_text=_("Tamaño en bytes."))
    tipo = serializers.CharField(help_text=_("Tipo de contenido detectado por el contenido del archivo."))
    url = serializers.URLField(help_text=_("Descarga (con permiso, en la sesión del navegador)."))

    class Meta:
        ref_name = "EvidenciaArchivo"


class EvidenciaViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Evidencia]):
    """Evidence (medios de verificación) within the user's territory; the municipality submits,
    regional staff review."""

    class OutputSerializer(serializers.ModelSerializer[Evidencia]):
        adhesion = serializers.UUIDField(source="adhesion.uuid", help_text=_("UUID de la adhesión."))
        accion = EvidenciaAccionSerializer()
        tipo = serializers.SerializerMethodField()
        archivo = serializers.SerializerMethodField()
        estado_label = serializers.CharField(source="get_estado_display")
        revisada_por = serializers.SerializerMethodField(help_text=_("Nombre de quien la revisó."))
        reemplaza = serializers.UUIDField(
            source="reemplaza.uuid", allow_null=True, help_text=_("La evidencia observada que esta vuelve a presentar.")
        )
        version = serializers.IntegerField(help_text=_("Envíela de vuelta al revisar (bloqueo optimista)."))

        class Meta:
            model = Evidencia
            ref_name = "Evidencia"
            fields = [
                "uuid",
                "adhesion",
                "accion",
                "descripcion",
                "tipo",
                "enlace",
                "archivo",
                "estado",
                "estado_label",
                "comentario_revision",
                "enviada_en",
                "revisada_en",
                "revisada_por",
                "reemplaza",
                "version",
            ]

        @extend_schema_field(serializers.ChoiceField(choices=[("archivo", _("Archivo")), ("enlace", _("Enlace"))]))
        def get_tipo(self, obj: Evidencia) -> str:
            return "archivo" if obj.archivo_id else "enlace"

        @extend_schema_field(EvidenciaArchivoSerializer(allow_null=True))
        def get_archivo(self, obj: Evidencia) -> dict[str, Any] | None:
            if obj.archivo is None:
                return None
            return {
                "nombre_original": obj.archivo.nombre_original,
                "tamano": obj.archivo.tamano,
                "tipo": obj.archivo.tipo,
                "url": url_descarga_evidencia(obj, self.context.get("request")),
            }

        @extend_schema_field(serializers.CharField(allow_null=True))
        def get_revisada_por(self, obj: Evidencia) -> str | None:
            return nombre_de(obj.revisada_por)

    class PresentarInputSerializer(serializers.Serializer[Any]):
        accion = serializers.IntegerField(
            min_value=1, max_value=BIGINT_MAX, help_text=_("id de la acción del plan de trabajo.")
        )
        descripcion = serializers.CharField(max_length=300)
        # The service validates the file by its content (and refuses an empty one).
        archivo = serializers.FileField(required=False, allow_empty_file=True, help_text=_("Archivo O enlace."))
        enlace = serializers.CharField(
            max_length=500, required=False, allow_blank=True, default="", help_text=_("Enlace (http o https).")
        )
        reemplaza = serializers.UUIDField(
            required=False, allow_null=True, help_text=_("UUID de la evidencia observada que se vuelve a presentar.")
        )

        class Meta:
            ref_name = "EvidenciaPresentar"

    class RevisarInputSerializer(serializers.Serializer[Any]):
        estado = serializers.ChoiceField(choices=[(e.value, e.label) for e in evidencias_services.REVISIONES])
        comentario = serializers.CharField(
            max_length=4000,
            required=False,
            allow_blank=True,
            default="",
            help_text=_("Obligatorio al observar o rechazar."),
        )
        version = serializers.IntegerField(min_value=1, max_value=BIGINT_MAX)

        class Meta:
            ref_name = "EvidenciaRevisar"

    serializer_class = OutputSerializer
    filterset_class = EvidenciaFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    lookup_field = "uuid"
    cursor_ordering = ("-enviada_en", "-pk")
    documentar_conflictos = True

    def get_queryset(self) -> QuerySet[Evidencia]:
        return scoped(
            self.request.user,
            Evidencia.objects.select_related("adhesion", "accion", "archivo", "revisada_por", "reemplaza"),
        )

    def _salida(self, evidencia: Evidencia, status_code: int = status.HTTP_200_OK) -> Response:
        fresca = self.get_queryset().get(pk=evidencia.pk)
        return Response(self.OutputSerializer(fresca, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(
        request=PresentarInputSerializer,
        responses={201: OutputSerializer},
        summary=_("Presentar una evidencia"),
        description=_(
            "La municipalidad presenta un archivo (PDF, JPG, PNG, DOCX, XLSX u ODT, validado por su contenido) "
            "o un enlace como medio de verificación de una acción de su plan. `invalid_file` si el archivo "
            "no es válido; 409 si el sello no está recibiendo evidencias."
        ),
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entrada = self.PresentarInputSerializer(data=request.data)
        entrada.is_valid(raise_exception=True)
        datos = entrada.validated_data
        # Fetched through the scoping helper: an action of another territory is a 404.
        accion = get_scoped_or_404(request.user, AccionPlan.objects.select_related("plan"), pk=datos["accion"])
        reemplaza = None
        if datos.get("reemplaza"):
            reemplaza = get_scoped_or_404(request.user, Evidencia.objects.all(), uuid=datos["reemplaza"])
        evidencia = evidencias_services.evidencia_presentar(
            accion=accion,
            usuario=request.user,
            descripcion=datos["descripcion"],
            archivo=datos.get("archivo"),
            enlace=datos["enlace"],
            reemplaza=reemplaza,
        )
        return self._salida(evidencia, status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="evidencias_revisar_create",
        request=RevisarInputSerializer,
        responses={200: OutputSerializer},
        summary=_("Revisar una evidencia"),
        description=_(
            "El equipo regional acepta, observa o rechaza una evidencia enviada; el puntaje se recalcula. "
            "409 si la versión no es la actual o la evidencia ya fue revisada."
        ),
    )
    @action(detail=True, methods=["post"])
    def revisar(self, request: Request, uuid: str | None = None) -> Response:
        evidencia = self.get_object()  # scoped queryset: another territory is a 404
        entrada = self.RevisarInputSerializer(data=request.data)
        entrada.is_valid(raise_exception=True)
        datos = entrada.validated_data
        evidencia = evidencias_services.evidencia_revisar(
            evidencia=evidencia,
            usuario=request.user,
            estado=datos["estado"],
            comentario=datos["comentario"],
            version=datos["version"],
        )
        return self._salida(evidencia)
