"""API of cases: ``/api/v1/casos/`` (list, detail, create), the workflow transitions and the
conversation, scoped exactly like the pages (``selectors.casos_visibles``: other territories
and the Comité Evaluador get a 404, an empty list).

Confidentiality: lists mask the names of sensitive cases and every document number, and never
show internal notes; the detail (and the conversation) of a sensitive case shows the person and
records the reading in the access log (``AccesoSensible``, ``via="api"``).

Mass assignment: every input serializer refuses fields it does not declare (``estado``,
``folio``, ``sensible``, ``comuna``...) with a 400 naming each field; nothing is written.
Every write is one service call; its refusals (``sello.errores.ErrorDeNegocio``) become the one
error format (400 invalid, 403 not allowed for the role, 409 stale version or wrong state).
"""

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

from django.db import models, transaction
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from municipios.models import Rol, Usuario
from sello.errores import ErrorDeNegocio

from . import flujo, selectors, services
from .filters import CasoFilter
from .models import (
    CAMPOS_PERSONA,
    Canal,
    Caso,
    EstadoCaso,
    Mensaje,
    Persona,
    Prioridad,
    Sexo,
    TipoCaso,
    TipoDocumento,
    TramoEdad,
    TransicionCaso,
)

VERSION_MAX = 2**31 - 1


def nombre_de(usuario: Any) -> str | None:
    # People are named, never identified by their internal id.
    if usuario is None:
        return None
    return str(usuario.get_full_name() or usuario.username)


def personal_asignable(*, username: str, caso: Caso) -> Usuario | None:
    """Active SERMIG staff who may take ``caso``: national staff or its región's team.

    Users are not territorial data; the lookup is narrowed to the people the case could be
    assigned to, so it reveals nothing about anyone else."""
    candidato = Usuario.objects.filter(username=username, is_active=True).first()
    if candidato is None:
        return None
    if candidato.rol == Rol.NACIONAL:
        return candidato
    if candidato.rol == Rol.REGIONAL and candidato.region_id == caso.comuna.region_id:
        return candidato
    return None


class EntradaEstricta(serializers.Serializer[Any]):
    """An input that refuses undeclared fields (mass assignment) with a 400 naming each one."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, Mapping):
            desconocidos = sorted(set(data) - set(self.fields))
            if desconocidos:
                raise serializers.ValidationError(
                    {campo: [_("Campo no permitido: no se puede enviar por la API.")] for campo in desconocidos}
                )
        valores: dict[str, Any] = super().to_internal_value(data)
        return valores


# --- Output -------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class EtiquetaField(serializers.Field):
    """The label of a choice (``TextChoices``), translated once per response.

    ``get_FOO_display()`` hashes every lazy label of the field's choices on each call: on a
    50-row page that was a third of the API's time (issue 7)."""

    def __init__(self, opciones: type[models.TextChoices], **kwargs: Any) -> None:
        self.opciones = opciones
        self.etiquetas: dict[str, str] | None = None
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: str) -> str:
        # The field instance serves one response (a list shares it across its rows).
        if self.etiquetas is None:
            self.etiquetas = {str(valor): str(etiqueta) for valor, etiqueta in self.opciones.choices}
        return self.etiquetas.get(value, value)


class PersonaResumenSerializer(serializers.Serializer[Any]):
    nombre = serializers.CharField(help_text=_("Iniciales si el caso es sensible."))
    tipo_documento = serializers.ChoiceField(choices=TipoDocumento.choices)
    documento = serializers.CharField(help_text=_("Número normalizado, enmascarado salvo los tres últimos caracteres."))
    es_nna = serializers.BooleanField()

    class Meta:
        ref_name = "CasoPersonaResumen"


class PersonaDetalleSerializer(serializers.Serializer[Any]):
    uuid = serializers.UUIDField()
    nombre = serializers.CharField()
    nombres = serializers.CharField()
    apellidos = serializers.CharField()
    tipo_documento = serializers.ChoiceField(choices=TipoDocumento.choices)
    documento = serializers.CharField(help_text=_("Número normalizado (RUN: dígitos y dígito verificador)."))
    numero_documento = serializers.CharField(help_text=_("Número tal como se registró."))
    nacionalidad = serializers.CharField(help_text=_("Código ISO 3166-1 alfa-2; vacío si no se informó."))
    sexo = serializers.ChoiceField(choices=Sexo.choices)
    fecha_nacimiento = serializers.DateField(allow_null=True)
    tramo_edad = serializers.ChoiceField(choices=TramoEdad.choices)
    es_nna = serializers.BooleanField()
    telefono = serializers.CharField()
    email = serializers.CharField()

    class Meta:
        ref_name = "CasoPersonaDetalle"


class TransicionSerializer(serializers.ModelSerializer[TransicionCaso]):
    usuario = serializers.SerializerMethodField()

    class Meta:
        model = TransicionCaso
        ref_name = "CasoTransicion"
        fields = ["accion", "desde", "hasta", "usuario", "comentario", "fecha"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_usuario(self, obj: TransicionCaso) -> str | None:
        return nombre_de(obj.usuario)


class AccionDisponibleSerializer(serializers.Serializer[Any]):
    accion = serializers.ChoiceField(choices=list(flujo.TRANSICIONES))
    etiqueta = serializers.CharField()
    requiere_comentario = serializers.BooleanField()

    class Meta:
        ref_name = "CasoAccionDisponible"


class AdjuntoSerializer(serializers.Serializer[Any]):
    nombre_original = serializers.CharField()
    tamano = serializers.IntegerField(help_text=_("Tamaño en bytes."))
    tipo = serializers.CharField(help_text=_("Tipo de contenido detectado por el contenido del archivo."))
    url = serializers.URLField(help_text=_("Descarga (con permiso, en la sesión del navegador)."))

    class Meta:
        ref_name = "CasoAdjunto"


class MensajeOutputSerializer(serializers.ModelSerializer[Mensaje]):
    autor = serializers.SerializerMethodField()
    autor_rol = serializers.SerializerMethodField(help_text=_("Rol de quien escribió: municipal, regional o nacional."))
    adjunto = serializers.SerializerMethodField()

    class Meta:
        model = Mensaje
        ref_name = "CasoMensaje"
        fields = ["id", "autor", "autor_rol", "texto", "interno", "adjunto", "creado_en"]

    @extend_schema_field(serializers.CharField())
    def get_autor(self, obj: Mensaje) -> str:
        return str(obj.autor.get_full_name() or obj.autor.username)

    @extend_schema_field(serializers.CharField())
    def get_autor_rol(self, obj: Mensaje) -> str:
        return str(obj.autor.rol)

    @extend_schema_field(AdjuntoSerializer(allow_null=True))
    def get_adjunto(self, obj: Mensaje) -> dict[str, Any] | None:
        if obj.adjunto is None:
            return None
        # The permission-checked download page (which logs the reading of a sensitive case).
        path = reverse("casos:adjunto", kwargs={"pk": obj.pk})
        request = self.context.get("request")
        return {
            "nombre_original": obj.adjunto.nombre_original,
            "tamano": obj.adjunto.tamano,
            "tipo": obj.adjunto.tipo,
            "url": request.build_absolute_uri(path) if request is not None else path,
        }


class CasoOutputSerializer(serializers.ModelSerializer[Caso]):
    """What lists show: names of sensitive cases as initials, documents masked."""

    comuna = serializers.CharField(source="comuna_id", help_text=_("CUT de la comuna."))
    comuna_nombre = serializers.CharField(source="comuna.nombre")
    region = serializers.CharField(source="comuna.region_id", help_text=_("CUT de la región."))
    persona = serializers.SerializerMethodField()
    tipo_label = EtiquetaField(TipoCaso, source="tipo")
    estado_label = EtiquetaField(EstadoCaso, source="estado")
    asignado_a = serializers.SerializerMethodField(help_text=_("Nombre de quien gestiona el caso en el SERMIG."))
    vencido = serializers.BooleanField(help_text=_("Marcado por la tarea de plazos al superar su plazo de respuesta."))
    version = serializers.IntegerField(help_text=_("Envíela de vuelta al transicionar (bloqueo optimista)."))

    class Meta:
        model = Caso
        ref_name = "Caso"
        fields = [
            "uuid",
            "folio",
            "comuna",
            "comuna_nombre",
            "region",
            "persona",
            "tipo",
            "tipo_label",
            "subtipo",
            "prioridad",
            "canal",
            "estado",
            "estado_label",
            "sensible",
            "asignado_a",
            "derivado_en",
            "plazo",
            "vencido",
            "creado_en",
            "actualizado_en",
            "version",
        ]

    @extend_schema_field(PersonaResumenSerializer)
    def get_persona(self, obj: Caso) -> dict[str, Any]:
        return {
            "nombre": selectors.nombre_visible(obj),
            "tipo_documento": obj.persona.tipo_documento,
            "documento": selectors.documento_visible(obj),
            "es_nna": obj.persona.es_nna,
        }

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_asignado_a(self, obj: Caso) -> str | None:
        return nombre_de(obj.asignado_a)

    @cached_property
    def etiquetas(self) -> dict[str, dict[str, str]]:
        # Once per response: a list serializes every row with the same instance.
        return {
            campo: {str(valor): str(etiqueta) for valor, etiqueta in opciones.choices}
            for campo, opciones in (("tipo", TipoCaso), ("estado", EstadoCaso))
        }

    def to_representation(self, instance: Caso | dict[str, Any]) -> dict[str, Any]:
        """A list row, read straight from the case and its preloaded relations, or from the
        row's dict (:func:`casos.selectors.filas`, the list endpoint's way).

        The fields declared above stay the contract (and the schema); walking them one by one
        with DRF's generic machinery cost a 50-row page more than the whole request of a bare
        raw-SQL view (issue 7). Same keys, values and formats: tests/test_casos_rendimiento.py
        compares this with the generic path."""
        if isinstance(instance, dict):
            return self.desde_fila(instance)
        persona = instance.persona
        comuna = instance.comuna
        return {
            "uuid": str(instance.uuid),
            "folio": instance.folio,
            "comuna": instance.comuna_id,
            "comuna_nombre": comuna.nombre,
            "region": comuna.region_id,
            "persona": {
                "nombre": selectors.nombre_visible(instance),
                "tipo_documento": persona.tipo_documento,
                "documento": selectors.documento_visible(instance),
                "es_nna": persona.es_nna,
            },
            "tipo": instance.tipo,
            "tipo_label": self.etiquetas["tipo"].get(instance.tipo, instance.tipo),
            "subtipo": instance.subtipo,
            "prioridad": instance.prioridad,
            "canal": instance.canal,
            "estado": instance.estado,
            "estado_label": self.etiquetas["estado"].get(instance.estado, instance.estado),
            "sensible": instance.sensible,
            "asignado_a": nombre_de(instance.asignado_a),
            "derivado_en": self.fecha(instance.derivado_en),
            "plazo": self.fecha(instance.plazo),
            "vencido": instance.vencido,
            "creado_en": self.fecha(instance.creado_en),
            "actualizado_en": self.fecha(instance.actualizado_en),
            "version": instance.version,
        }

    def desde_fila(self, fila: dict[str, Any]) -> dict[str, Any]:
        """The same row from the dict of :func:`casos.selectors.filas` (no model instances)."""
        nombre_asignado = f"{fila['asignado_a__first_name'] or ''} {fila['asignado_a__last_name'] or ''}".strip()
        return {
            "uuid": str(fila["uuid"]),
            "folio": fila["folio"],
            "comuna": fila["comuna_id"],
            "comuna_nombre": fila["comuna__nombre"],
            "region": fila["comuna__region_id"],
            "persona": {
                "nombre": selectors.nombre_visible_de(
                    sensible=fila["sensible"],
                    nombres=fila["persona__nombres"],
                    apellidos=fila["persona__apellidos"],
                ),
                "tipo_documento": fila["persona__tipo_documento"],
                "documento": selectors.documento_visible_de(fila["persona__documento_normalizado"]),
                "es_nna": fila["persona__es_nna"],
            },
            "tipo": fila["tipo"],
            "tipo_label": self.etiquetas["tipo"].get(fila["tipo"], fila["tipo"]),
            "subtipo": fila["subtipo"],
            "prioridad": fila["prioridad"],
            "canal": fila["canal"],
            "estado": fila["estado"],
            "estado_label": self.etiquetas["estado"].get(fila["estado"], fila["estado"]),
            "sensible": fila["sensible"],
            "asignado_a": (nombre_asignado or fila["asignado_a__username"]) if fila["asignado_a__username"] else None,
            "derivado_en": self.fecha(fila["derivado_en"]),
            "plazo": self.fecha(fila["plazo"]),
            "vencido": fila["vencido"],
            "creado_en": self.fecha(fila["creado_en"]),
            "actualizado_en": self.fecha(fila["actualizado_en"]),
            "version": fila["version"],
        }

    @cached_property
    def zona(self) -> tzinfo:
        return timezone.get_current_timezone()

    def fecha(self, valor: datetime | None) -> str | None:
        """Like the declared DateTimeFields: ISO 8601 in the current time zone ("Z" for UTC)."""
        if valor is None:
            return None
        texto = valor.astimezone(self.zona).isoformat()
        return texto.removesuffix("+00:00") + "Z" if texto.endswith("+00:00") else texto

    def representacion_generica(self, instance: Caso) -> dict[str, Any]:
        """Every declared field through DRF's own machinery (the detail's way)."""
        return dict(serializers.ModelSerializer.to_representation(self, instance))


class CasoDetalleSerializer(CasoOutputSerializer):
    """The opened case: the person in full, the description, the timeline and what the user may
    do next."""

    creado_por = serializers.SerializerMethodField()
    transiciones = TransicionSerializer(many=True, help_text=_("Historial completo, del más antiguo al más reciente."))
    acciones_disponibles = serializers.SerializerMethodField(
        help_text=_("Acciones del flujo que el usuario puede aplicar ahora.")
    )

    class Meta(CasoOutputSerializer.Meta):
        ref_name = "CasoDetalle"
        fields = [
            *CasoOutputSerializer.Meta.fields,
            "descripcion",
            "consentimiento",
            "consentimiento_fecha",
            "numero_solicitud_sermig",
            "resuelto_en",
            "resolucion",
            "creado_por",
            "transiciones",
            "acciones_disponibles",
        ]

    def to_representation(self, instance: Caso | dict[str, Any]) -> dict[str, Any]:
        # One case (never a list row): the declared fields, the generic way.
        assert isinstance(instance, Caso)
        return self.representacion_generica(instance)

    @extend_schema_field(PersonaDetalleSerializer)
    def get_persona(self, obj: Caso) -> dict[str, Any]:
        persona: Persona = obj.persona
        return {
            "uuid": persona.uuid,
            "nombre": selectors.nombre_visible(obj, revelar=True),
            "nombres": persona.nombres,
            "apellidos": persona.apellidos,
            "tipo_documento": persona.tipo_documento,
            "documento": selectors.documento_visible(obj, revelar=True),
            "numero_documento": persona.numero_documento,
            "nacionalidad": str(persona.nacionalidad),  # the ISO code ("" when not given)
            "sexo": persona.sexo,
            "fecha_nacimiento": persona.fecha_nacimiento,
            "tramo_edad": persona.tramo_edad,
            "es_nna": persona.es_nna,
            "telefono": persona.telefono,
            "email": persona.email,
        }

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_creado_por(self, obj: Caso) -> str | None:
        return nombre_de(obj.creado_por)

    @extend_schema_field(AccionDisponibleSerializer(many=True))
    def get_acciones_disponibles(self, obj: Caso) -> list[dict[str, Any]]:
        request = self.context.get("request")
        usuario = getattr(request, "user", None)
        return [
            {"accion": t.accion, "etiqueta": str(t.etiqueta), "requiere_comentario": t.requiere_comentario}
            for t in flujo.acciones_disponibles(usuario, obj)
        ]


class DuplicadoSerializer(serializers.Serializer[Any]):
    uuid = serializers.UUIDField()
    folio = serializers.CharField()

    class Meta:
        ref_name = "CasoDuplicado"


class CasoCreadoSerializer(CasoDetalleSerializer):
    posibles_duplicados = serializers.SerializerMethodField(
        help_text=_(
            "Casos de su territorio cuya persona tiene el mismo documento normalizado: revise si es la misma persona."
        )
    )

    class Meta(CasoDetalleSerializer.Meta):
        ref_name = "CasoCreado"
        fields = [*CasoDetalleSerializer.Meta.fields, "posibles_duplicados"]

    @extend_schema_field(DuplicadoSerializer(many=True))
    def get_posibles_duplicados(self, obj: Caso) -> list[dict[str, Any]]:
        return list(self.context.get("posibles_duplicados", []))


# --- Input --------------------------------------------------------------------------------


class CasoCrearInputSerializer(EntradaEstricta):
    """The person and the case in one request (flat, so each error names its field)."""

    # Persona
    nombres = serializers.CharField(max_length=120)
    apellidos = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    tipo_documento = serializers.ChoiceField(choices=TipoDocumento.choices)
    numero_documento = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("RUN con o sin puntos y guion (se valida el dígito verificador); vacío si no tiene documento."),
    )
    nacionalidad = serializers.ChoiceField(
        choices=list(countries), required=False, allow_blank=True, default="", help_text=_("ISO 3166-1 alfa-2.")
    )
    sexo = serializers.ChoiceField(choices=Sexo.choices, required=False, default=Sexo.NO_INFORMA)
    fecha_nacimiento = serializers.DateField(required=False, allow_null=True, default=None)
    tramo_edad = serializers.ChoiceField(
        choices=TramoEdad.choices,
        required=False,
        default=TramoEdad.DESCONOCIDO,
        help_text=_("Si no se conoce la fecha de nacimiento."),
    )
    telefono = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    # Caso
    tipo = serializers.ChoiceField(choices=TipoCaso.choices)
    subtipo = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default="", help_text=_("Debe corresponder al tipo.")
    )
    prioridad = serializers.ChoiceField(choices=Prioridad.choices, required=False, default=Prioridad.MEDIA)
    canal = serializers.ChoiceField(choices=Canal.choices, required=False, default=Canal.PRESENCIAL)
    descripcion = serializers.CharField(max_length=10000)
    consentimiento = serializers.BooleanField(
        required=False, default=False, help_text=_("Consentimiento informado: requerido para derivar.")
    )
    consentimiento_fecha = serializers.DateField(required=False, allow_null=True, default=None)
    numero_solicitud_sermig = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")

    class Meta:
        ref_name = "CasoCrear"

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Only validation (the service checks again): the document error names its field.
        try:
            services.documento_normalizado(attrs["tipo_documento"], attrs["numero_documento"])
        except ErrorDeNegocio as exc:
            raise serializers.ValidationError({"numero_documento": [exc.mensaje]}) from exc
        return attrs


PERSONA_CAMPOS = CAMPOS_PERSONA


class TransicionInputSerializer(EntradaEstricta):
    accion = serializers.ChoiceField(
        choices=[(accion, t.etiqueta) for accion, t in flujo.TRANSICIONES.items()],
        help_text=_(
            "derivar (municipalidad; requiere consentimiento), asignar (SERMIG), solicitar_informacion (SERMIG), "
            "responder (municipalidad), resolver (SERMIG), cerrar, reabrir."
        ),
    )
    version = serializers.IntegerField(min_value=1, max_value=VERSION_MAX)
    comentario = serializers.CharField(
        max_length=4000,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Obligatorio para solicitar información, responder, resolver y reabrir."),
    )
    asignado_a = serializers.CharField(
        max_length=150,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Solo con `asignar`: nombre de usuario del personal SERMIG; por omisión, quien asigna."),
    )

    class Meta:
        ref_name = "CasoTransicionar"

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["asignado_a"] and attrs["accion"] != "asignar":
            raise serializers.ValidationError({"asignado_a": [_("Solo se indica al asignar el caso.")]})
        return attrs


class MensajeInputSerializer(EntradaEstricta):
    texto = serializers.CharField(max_length=10000)
    interno = serializers.BooleanField(
        required=False, default=False, help_text=_("Nota interna, visible solo para el SERMIG (solo personal SERMIG).")
    )
    # The service validates the file by its content (and refuses an empty one).
    adjunto = serializers.FileField(
        required=False,
        allow_null=True,
        allow_empty_file=True,
        help_text=_("PDF, JPG, PNG, DOCX, XLSX u ODT (validado por su contenido); envíe multipart/form-data."),
    )

    class Meta:
        ref_name = "CasoMensajeNuevo"


# --- Viewset ------------------------------------------------------------------------------


def con_historial(qs: QuerySet[Caso]) -> QuerySet[Caso]:
    """What the opened case shows besides the list columns: its author and timeline."""
    return qs.select_related("creado_por").prefetch_related(
        Prefetch("transiciones", queryset=TransicionCaso.objects.select_related("usuario"))
    )


class CasoViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Caso]):
    """Migrants' cases within the user's territory (others answer 404; the Comité Evaluador sees
    none): the municipality registers and escalates them, the SERMIG regional team manages them."""

    serializer_class = CasoOutputSerializer
    filterset_class = CasoFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    lookup_field = "uuid"
    cursor_ordering = ("-creado_en", "-pk")
    documentar_conflictos = True

    def get_queryset(self) -> QuerySet[Caso]:
        if self.action == "list":
            return selectors.casos_para_listar(usuario=self.request.user)
        qs = selectors.casos_visibles(usuario=self.request.user)
        return con_historial(qs) if self.action == "retrieve" else qs

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return CasoDetalleSerializer if self.action == "retrieve" else CasoOutputSerializer

    def paginate_queryset(self, queryset: QuerySet[Caso, Any] | Sequence[Any]) -> list[Any] | None:
        # The list's page as dicts (same query, no model instances): see selectors.filas.
        if self.action == "list" and isinstance(queryset, QuerySet):
            queryset = selectors.filas(queryset)
        return super().paginate_queryset(queryset)

    @extend_schema(
        summary=_("Listar casos"),
        description=_(
            "Casos del territorio del usuario, del más reciente al más antiguo (paginación por cursor). "
            "Los nombres de casos sensibles (violencia, trata, NNA) se muestran como iniciales y los "
            "documentos enmascarados; la búsqueda `q` es solo por folio o N° SERMIG."
        ),
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary=_("Ver un caso"),
        description=_(
            "El caso abierto: la persona con su nombre y documento completos, la descripción, el historial "
            "y las acciones disponibles. Abrir un caso sensible queda registrado en el registro de accesos."
        ),
        responses={200: CasoDetalleSerializer},
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        caso = self.get_object()  # scoped queryset: another territory is a 404
        services.acceso_registrar(caso=caso, usuario=request.user, via="api")
        return Response(self.get_serializer(caso).data)

    @extend_schema(
        summary=_("Registrar un caso"),
        description=_(
            "Solo funcionarios municipales: registra a la persona y el caso en borrador, en su comuna, con un "
            "folio `CUT-año-número`. Todo o nada. Un RUN inválido es un 400 en `numero_documento`; "
            "campos no declarados (p. ej. `estado`, `folio`, `sensible`, `comuna`) se rechazan con 400. "
            "La respuesta incluye los posibles duplicados de la persona en su territorio."
        ),
        request=CasoCrearInputSerializer,
        responses={201: CasoCreadoSerializer},
        examples=[
            OpenApiExample(
                "Caso de regularización",
                request_only=True,
                value={
                    "nombres": "Carlos Andrés",
                    "apellidos": "Ramírez Peña",
                    "tipo_documento": "run",
                    "numero_documento": "26.142.318-9",
                    "nacionalidad": "VE",
                    "tipo": "regularizacion",
                    "subtipo": "residencia_temporal",
                    "descripcion": "Necesita orientación para solicitar residencia temporal.",
                    "consentimiento": True,
                    "consentimiento_fecha": "2026-03-02",
                },
            )
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entrada = CasoCrearInputSerializer(data=request.data)
        entrada.is_valid(raise_exception=True)
        datos = dict(entrada.validated_data)
        persona_datos = {campo: datos.pop(campo) for campo in PERSONA_CAMPOS}
        # People already registered in the user's territory with the same document (a warning).
        previos = list(
            selectors.posibles_duplicados(
                usuario=request.user,
                tipo_documento=persona_datos["tipo_documento"],
                numero_documento=persona_datos["numero_documento"],
            ).values_list("pk", flat=True)
        )
        with transaction.atomic():  # the person is not kept when the case is refused
            persona = services.persona_registrar(usuario=request.user, **persona_datos)
            caso = services.caso_crear(usuario=request.user, persona=persona, **datos)
        visibles = selectors.casos_visibles(usuario=request.user)
        duplicados = list(visibles.filter(persona__in=previos).values("uuid", "folio")) if previos else []
        creado = con_historial(visibles).get(pk=caso.pk)
        # The response shows the person in full: for a sensitive case that is a logged reading.
        services.acceso_registrar(caso=creado, usuario=request.user, via="api")
        contexto = {**self.get_serializer_context(), "posibles_duplicados": duplicados}
        return Response(CasoCreadoSerializer(creado, context=contexto).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="casos_transiciones_create",
        summary=_("Aplicar una acción del flujo"),
        description=_(
            "Derivar, asignar, solicitar información, responder, resolver, cerrar o reabrir; queda en el "
            "historial con su comentario. 403 si su rol no puede aplicar la acción; 409 si `version` no es "
            "la actual o el estado del caso no la permite. Responde el caso como en los listados "
            "(nombre enmascarado si es sensible) con su nueva versión."
        ),
        request=TransicionInputSerializer,
        responses={200: CasoOutputSerializer},
    )
    @action(detail=True, methods=["post"], url_path="transiciones", filter_backends=[])
    def transiciones(self, request: Request, uuid: str | None = None) -> Response:
        caso = self.get_object()  # scoped queryset: another territory is a 404
        entrada = TransicionInputSerializer(data=request.data)
        entrada.is_valid(raise_exception=True)
        datos = entrada.validated_data
        asignado = None
        if datos["asignado_a"]:
            asignado = personal_asignable(username=datos["asignado_a"], caso=caso)
            # Only someone allowed to assign learns whether the person exists; anyone else gets
            # the service's refusal below.
            if asignado is None and flujo.puede(request.user, caso, datos["accion"]):
                raise serializers.ValidationError(
                    {"asignado_a": [_("No hay personal SERMIG activo con ese usuario que pueda tomar el caso.")]}
                )
        services.caso_transicionar(
            caso=caso,
            accion=datos["accion"],
            usuario=request.user,
            version=datos["version"],
            comentario=datos["comentario"],
            asignado_a=asignado,
        )
        return Response(CasoOutputSerializer(self.get_queryset().get(pk=caso.pk)).data)

    @extend_schema(
        methods=["GET"],
        operation_id="casos_mensajes_list",
        summary=_("Leer la conversación"),
        description=_(
            "Mensajes del caso, del más antiguo al más reciente; las notas internas solo para el SERMIG. "
            "Leer la conversación de un caso sensible queda registrado en el registro de accesos."
        ),
        request=None,
        responses={200: MensajeOutputSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        operation_id="casos_mensajes_create",
        summary=_("Escribir en la conversación"),
        description=_(
            "Un mensaje (o, para el SERMIG, una nota interna con `interno`) con un adjunto opcional "
            "(multipart/form-data). 403 si una municipalidad intenta una nota interna; 409 si el caso "
            "está cerrado; `invalid_file` si el adjunto no es un documento permitido."
        ),
        request=MensajeInputSerializer,
        responses={201: MensajeOutputSerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def mensajes(self, request: Request, uuid: str | None = None) -> Response:
        caso = self.get_object()  # scoped queryset: another territory is a 404
        if request.method == "GET":
            services.acceso_registrar(caso=caso, usuario=request.user, via="api")
            mensajes = selectors.mensajes_visibles(caso=caso, usuario=request.user)
            contexto = self.get_serializer_context()
            return Response(MensajeOutputSerializer(mensajes, many=True, context=contexto).data)
        entrada = MensajeInputSerializer(data=request.data)
        entrada.is_valid(raise_exception=True)
        datos = entrada.validated_data
        mensaje = services.mensaje_agregar(
            caso=caso,
            usuario=request.user,
            texto=datos["texto"],
            interno=datos["interno"],
            adjunto=datos.get("adjunto"),
        )
        creado = selectors.mensajes_visibles(caso=caso, usuario=request.user).get(pk=mensaje.pk)
        contexto = self.get_serializer_context()
        return Response(MensajeOutputSerializer(creado, context=contexto).data, status=status.HTTP_201_CREATED)
