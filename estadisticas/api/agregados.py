"""``/api/v1/estadisticas/``: the platform's aggregates of a comuna, a región or the country
for a semester, read from the summary tables.

The statistics' access rule applies (``puede_ver_unidad``: a place outside the user's territory
is a 404). Case counts are published only as suppressed cells: a hidden cell has
``valor: null`` and ``texto`` "< 5" or "reservado", and its true value never leaves the server.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import exceptions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from municipios.models import Comuna, Region

from .. import selectors as s
from ..periodos import Periodo, PeriodoInvalido, periodo_actual
from ..resumenes import ultima_actualizacion
from ..supresion import Celda, umbral


class CifraSerializer(serializers.Serializer[Any]):
    valor = serializers.IntegerField(allow_null=True, help_text=_("null si la cifra está suprimida."))
    texto = serializers.CharField(help_text=_("Como se publica: «12», «< 5» o «reservado»."))

    class Meta:
        ref_name = "EstadisticasCifra"


class CeldaSerializer(serializers.Serializer[Any]):
    categoria = serializers.CharField(help_text=_("Valor de la dimensión (p. ej. `trata`, `CL`, `si`)."))
    etiqueta = serializers.CharField()
    valor = serializers.IntegerField(allow_null=True, help_text=_("null si la cifra está suprimida."))
    texto = serializers.CharField(help_text=_("Como se publica: «12», «< 5» o «reservado»."))

    class Meta:
        ref_name = "EstadisticasCelda"


class DimensionSerializer(serializers.Serializer[Any]):
    indicador = serializers.ChoiceField(choices=[(str(d), d.label) for d in s.DIMENSIONES_CASOS])
    nombre = serializers.CharField()
    celdas = CeldaSerializer(many=True, help_text=_("Las publicadas de mayor a menor; después, las suprimidas."))

    class Meta:
        ref_name = "EstadisticasDimension"


class CasosSerializer(serializers.Serializer[Any]):
    total = CifraSerializer()
    vencidos = CifraSerializer(help_text=_("Casos del periodo con su plazo de respuesta vencido."))
    dimensiones = DimensionSerializer(many=True)

    class Meta:
        ref_name = "EstadisticasCasos"


class PlataformaSerializer(serializers.Serializer[Any]):
    capacitaciones = serializers.IntegerField()
    personas_capacitadas = serializers.IntegerField()
    asistencias = serializers.IntegerField()
    operativos = serializers.IntegerField()
    atenciones_operativos = serializers.IntegerField()

    class Meta:
        ref_name = "EstadisticasPlataforma"


class SelloEstadoSerializer(serializers.Serializer[Any]):
    estado = serializers.CharField(help_text=_("Estado del Sello, o `sin_adhesion`."))
    etiqueta = serializers.CharField()
    comunas = serializers.IntegerField()

    class Meta:
        ref_name = "EstadisticasSelloEstado"


class SelloResumenSerializer(serializers.Serializer[Any]):
    comunas = serializers.IntegerField(help_text=_("Comunas del lugar."))
    por_estado = SelloEstadoSerializer(
        many=True, help_text=_("Al cierre del periodo (o a la fecha, si está en curso).")
    )

    class Meta:
        ref_name = "EstadisticasSello"


class LugarSerializer(serializers.Serializer[Any]):
    nivel = serializers.ChoiceField(choices=[(s.COMUNA, _("Comuna")), (s.REGION, _("Región")), (s.NACIONAL, _("País"))])
    codigo = serializers.CharField(allow_blank=True)
    nombre = serializers.CharField()

    class Meta:
        ref_name = "EstadisticasLugar"


class PeriodoSerializer(serializers.Serializer[Any]):
    codigo = serializers.CharField()
    nombre = serializers.CharField()

    class Meta:
        ref_name = "EstadisticasPeriodo"


@extend_schema_serializer(many=False)
class EstadisticasSerializer(serializers.Serializer[Any]):
    lugar = LugarSerializer()
    periodo = PeriodoSerializer()
    umbral_supresion = serializers.IntegerField(help_text=_("Cifras sensibles menores que este valor se suprimen."))
    actualizado_en = serializers.DateTimeField(
        allow_null=True, help_text=_("Última actualización de las tablas de resumen.")
    )
    casos = CasosSerializer()
    plataforma = PlataformaSerializer()
    sello = SelloResumenSerializer()

    class Meta:
        ref_name = "Estadisticas"


def _cifra(celda: Celda) -> dict[str, Any]:
    # ``publico`` is None for a hidden cell: its ``valor`` never leaves the server.
    return {"valor": celda.publico, "texto": celda.texto}


def agregados(*, periodo: Periodo, nivel: str, codigo: str) -> dict[str, Any]:
    """The suppressed figures of a place and period (a bounded number of queries)."""
    tabla = s.tabla_casos(periodo)
    dimensiones = [
        {
            "indicador": str(indicador),
            "nombre": str(indicador.label),
            "celdas": [
                {"categoria": categoria, "etiqueta": etiqueta, **_cifra(celda)}
                for categoria, etiqueta, celda in tabla.dimension(nivel, codigo, indicador)
            ],
        }
        for indicador in s.DIMENSIONES_CASOS
    ]
    plataforma = s.plataforma(periodo, nivel, codigo)
    cuts = list(s.comunas_qs(nivel=nivel, codigo=codigo).values_list("cut", flat=True))
    resumenes = s.sellos(periodo, None if nivel == s.NACIONAL else cuts).values()
    actualizacion = ultima_actualizacion()
    return {
        "periodo": {"codigo": periodo.codigo, "nombre": periodo.nombre},
        "umbral_supresion": umbral(),
        "actualizado_en": actualizacion.terminada_en if actualizacion else None,
        "casos": {
            "total": _cifra(tabla.total(nivel, codigo)),
            "vencidos": _cifra(tabla.vencidos(nivel, codigo)),
            "dimensiones": dimensiones,
        },
        "plataforma": {indicador: sum(valores.values()) for indicador, valores in plataforma.items()},
        "sello": {
            "comunas": len(cuts),
            "por_estado": [
                {"estado": estado, "etiqueta": etiqueta, "comunas": n}
                for estado, etiqueta, n in s.sellos_por_estado(resumenes, cuts)
            ],
        },
    }


def lugar(datos: dict[str, Any]) -> dict[str, str]:
    return {"nivel": datos["nivel"], "codigo": datos["codigo"], "nombre": datos["nombre"]}


class ParametrosSerializer(serializers.Serializer[Any]):
    nivel = serializers.ChoiceField(
        choices=[(s.COMUNA, _("Comuna")), (s.REGION, _("Región")), (s.NACIONAL, _("País"))],
        default=s.NACIONAL,
        help_text=_("Nivel territorial."),
    )
    codigo = serializers.CharField(
        max_length=5,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("CUT de la comuna (5 dígitos) o de la región (2 dígitos); vacío para el país."),
    )
    periodo = serializers.CharField(
        max_length=7, required=False, help_text=_("Semestre, por ejemplo «2026-S1»; por omisión, el actual.")
    )

    class Meta:
        ref_name = "EstadisticasParametros"

    def validate_periodo(self, value: str) -> Periodo:
        try:
            return Periodo.desde_texto(value)
        except PeriodoInvalido as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        nivel, codigo = attrs["nivel"], attrs["codigo"].strip()
        attrs["periodo"] = attrs.get("periodo") or periodo_actual()
        if nivel == s.NACIONAL:
            if codigo:
                raise serializers.ValidationError({"codigo": [_("El nivel nacional no lleva código.")]})
            attrs["nombre"] = str(_("Chile"))
        elif nivel == s.COMUNA:
            comuna = Comuna.objects.filter(cut=codigo).first() if codigo.isdigit() and len(codigo) == 5 else None
            if comuna is None:
                raise serializers.ValidationError({"codigo": [_("No existe una comuna con ese código CUT.")]})
            attrs["nombre"] = comuna.nombre
        else:
            region = Region.objects.filter(cut=codigo).first() if codigo.isdigit() and len(codigo) == 2 else None
            if region is None:
                raise serializers.ValidationError({"codigo": [_("No existe una región con ese código CUT.")]})
            attrs["nombre"] = region.nombre_corto
        attrs["codigo"] = codigo
        return attrs


class EstadisticasViewSet(viewsets.ViewSet):
    """Aggregates of the platform for one place and semester, with small-cell suppression."""

    @extend_schema(
        operation_id="estadisticas_retrieve",
        summary=_("Estadísticas de una comuna, región o del país"),
        description=_(
            "Cifras de la plataforma para un lugar y un semestre, leídas de las tablas de resumen: casos "
            "por tipo, estado, prioridad, sexo, NNA y nacionalidad; casos con plazo vencido; capacitaciones, "
            "personas capacitadas, asistencias y operativos; y el estado del Sello en sus comunas.\n\n"
            "**Supresión de celdas pequeñas**: en las categorías sensibles (NNA, violencia de género, trata) "
            'una cifra menor que el umbral se publica con `valor: null` y `texto: "< 5"`; para que no se '
            'pueda recuperar restando del total, otras celdas se publican como `"reservado"` (también con '
            "`valor: null`). El valor verdadero de una celda oculta nunca se incluye.\n\n"
            "404 si el lugar está fuera del territorio del usuario; 400 si los parámetros no son válidos."
        ),
        parameters=[ParametrosSerializer],
        responses={200: EstadisticasSerializer},
    )
    def list(self, request: Request) -> Response:
        entrada = ParametrosSerializer(data=request.query_params)
        entrada.is_valid(raise_exception=True)
        datos = entrada.validated_data
        if not s.puede_ver_unidad(request.user, datos["nivel"], datos["codigo"]):
            raise exceptions.NotFound
        cuerpo = agregados(periodo=datos["periodo"], nivel=datos["nivel"], codigo=datos["codigo"])
        return Response(EstadisticasSerializer({**cuerpo, "lugar": lugar(datos)}).data)
