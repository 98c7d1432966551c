"""``/api/v1/minutas/``: list, detail, PDF download and request of generation.

Minutas are read through the scoping helper (another territory: 404; the Comité Evaluador has
none). A request names a comuna of the user's territory (403 otherwise) and a semester; it
refuses any other field (mass assignment) and calls ``minuta_solicitar``: generation runs in
the background, so the answer is 202 with the job.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from casos.api import EntradaEstricta
from municipios.models import Comuna, Rol
from municipios.scoping import puede_editar, scoped
from sello.api.errors import ErrorSerializer

from ..filters import CUT_COMUNA, MinutaFilter, periodo_solicitable
from ..minutas import minuta_solicitar
from ..models import Minuta
from ..periodos import Periodo

CON_MINUTAS = (Rol.MUNICIPAL, Rol.REGIONAL, Rol.NACIONAL)
SERMIG = (Rol.REGIONAL, Rol.NACIONAL)


class PDFRenderer(renderers.BaseRenderer):
    """Lets a client ask for ``Accept: application/pdf``; the PDF itself is a FileResponse."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return data if isinstance(data, bytes) else b""


# --- Minutas --------------------------------------------------------------------------------


class MinutaOutputSerializer(serializers.ModelSerializer[Minuta]):
    comuna = serializers.CharField(source="comuna_id", help_text=_("CUT de la comuna."))
    comuna_nombre = serializers.CharField(source="comuna.nombre")
    region = serializers.CharField(source="comuna.region_id", help_text=_("CUT de la región."))
    region_nombre = serializers.CharField(source="comuna.region.nombre_corto")
    estado_label = serializers.CharField(source="get_estado_display")
    error = serializers.SerializerMethodField(
        help_text=_("Motivo del error de generación (solo para el personal SERMIG; null para los demás).")
    )
    tamano = serializers.IntegerField(help_text=_("Tamaño del PDF en bytes (0 mientras no esté lista)."))
    descarga = serializers.SerializerMethodField(help_text=_("URL de descarga del PDF; null si no está lista."))

    class Meta:
        model = Minuta
        ref_name = "Minuta"
        fields = [
            "uuid",
            "comuna",
            "comuna_nombre",
            "region",
            "region_nombre",
            "periodo",
            "version_plantilla",
            "estado",
            "estado_label",
            "error",
            "tamano",
            "solicitada_en",
            "generada_en",
            "descarga",
        ]

    def get_error(self, obj: Minuta) -> str | None:
        request = self.context.get("request")
        if getattr(getattr(request, "user", None), "rol", None) not in SERMIG:
            return None
        return obj.error or None

    def get_descarga(self, obj: Minuta) -> str | None:
        if obj.estado != Minuta.Estado.LISTA:
            return None
        path = reverse("minuta-descargar", kwargs={"uuid": obj.uuid})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class MinutaSolicitarInputSerializer(EntradaEstricta):
    comuna = serializers.CharField(max_length=5, validators=[CUT_COMUNA], help_text=_("CUT de la comuna."))
    periodo = serializers.CharField(max_length=7, help_text=_("Semestre ya iniciado, por ejemplo «2026-S1»."))

    class Meta:
        ref_name = "MinutaSolicitar"

    def validate_comuna(self, value: str) -> Comuna:
        comuna = Comuna.objects.select_related("region").filter(cut=value).first()
        if comuna is None:
            raise serializers.ValidationError(_("La comuna no existe: use su código CUT de 5 dígitos."))
        return comuna

    def validate_periodo(self, value: str) -> Periodo:
        return periodo_solicitable(value)


class MinutaViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Minuta]):
    """Minutas estadísticas comunales of the user's territory, with their generation state."""

    serializer_class = MinutaOutputSerializer
    filterset_class = MinutaFilter
    lookup_field = "uuid"
    cursor_ordering = "-pk"

    def get_queryset(self) -> QuerySet[Minuta]:
        return scoped(self.request.user, Minuta.objects.select_related("comuna__region"))

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        # An error answered to a client that asked for the PDF is still the JSON error body.
        if isinstance(response, Response) and isinstance(getattr(response, "accepted_renderer", None), PDFRenderer):
            response.accepted_renderer = renderers.JSONRenderer()
            response.accepted_media_type = "application/json"
        return response

    @extend_schema(
        summary=_("Listar minutas"),
        description=_(
            "Minutas de las comunas del territorio del usuario, de la más reciente a la más antigua "
            "(paginación por cursor), con su estado de generación: `pendiente`, `generando`, `lista` "
            "o `error`. Filtros: `periodo`, `estado`, `comuna` y `region`."
        ),
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(summary=_("Ver una minuta"), description=_("Una minuta del territorio del usuario."))
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary=_("Solicitar la generación de una minuta"),
        description=_(
            "Pone en cola la minuta de una comuna y un semestre (o la reutiliza si ya existe: nunca hay dos "
            "por comuna, periodo y versión de plantilla; si sus datos no cambiaron, no se vuelve a generar). "
            "Una municipalidad solo puede pedir la de su comuna; un equipo regional, las de su región; la "
            "coordinación nacional, cualquiera (403 fuera del territorio; el Comité Evaluador no puede). "
            "Responde 202 con el trabajo: consulte su `estado` hasta que esté `lista`. Campos no "
            "declarados se rechazan con 400."
        ),
        request=MinutaSolicitarInputSerializer,
        responses={202: MinutaOutputSerializer},
        examples=[
            OpenApiExample(
                "Minuta de Independencia", request_only=True, value={"comuna": "13108", "periodo": "2026-S1"}
            )
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if getattr(request.user, "rol", None) not in CON_MINUTAS:
            raise exceptions.PermissionDenied
        entrada = MinutaSolicitarInputSerializer(data=request.data)
        entrada.is_valid(raise_exception=True)
        comuna: Comuna = entrada.validated_data["comuna"]
        if not puede_editar(request.user, Minuta(comuna=comuna)):
            raise exceptions.PermissionDenied
        minuta = minuta_solicitar(comuna=comuna, periodo=entrada.validated_data["periodo"], usuario=request.user)
        salida = self.get_queryset().get(pk=minuta.pk)
        return Response(self.get_serializer(salida).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        operation_id="minutas_descargar_retrieve",
        summary=_("Descargar el PDF de una minuta"),
        description=_(
            "El PDF de una minuta `lista`, como archivo adjunto. 409 mientras se genera o si su generación falló."
        ),
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description=_("La minuta en PDF.")),
            409: OpenApiResponse(ErrorSerializer, description=_("La minuta aún no está lista o falló.")),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="descargar",
        renderer_classes=[renderers.JSONRenderer, PDFRenderer],
        filter_backends=[],
    )
    def descargar(self, request: Request, uuid: str | None = None) -> Any:
        minuta = self.get_object()  # scoped queryset: another territory is a 404
        if minuta.estado != Minuta.Estado.LISTA or not minuta.archivo:
            raise Conflicto
        try:
            contenido = minuta.archivo.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        nombre = f"minuta-{slugify(minuta.comuna.nombre)}-{minuta.comuna_id}-{minuta.periodo}.pdf"
        response = FileResponse(contenido, as_attachment=True, filename=nombre, content_type="application/pdf")
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class Conflicto(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "not_ready"
    default_detail = _("La minuta aún no está lista: consulte su estado y vuelva a intentarlo.")
