"""Read API of the territory (reference data) and of municipalities (scoped)."""

from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from .filters import ComunaFilter, MunicipalidadFilter
from .models import Comuna, Municipalidad, Region
from .selectors import municipalidades_visibles


class RegionSerializer(serializers.ModelSerializer[Region]):
    class Meta:
        model = Region
        fields = [
            "cut",
            "nombre",
            "nombre_corto",
            "numero_romano",
            "abreviatura",
            "iso_3166_2",
            "orden_norte_sur",
        ]


class ComunaSerializer(serializers.ModelSerializer[Comuna]):
    provincia = serializers.CharField(source="provincia_id", help_text="CUT de la provincia.")
    provincia_nombre = serializers.CharField(source="provincia.nombre")
    region = serializers.CharField(source="region_id", help_text="CUT de la región.")

    class Meta:
        model = Comuna
        fields = ["cut", "nombre", "provincia", "provincia_nombre", "region"]


class MunicipalidadSerializer(serializers.ModelSerializer[Municipalidad]):
    comuna = serializers.CharField(source="comuna_id", help_text="CUT de la comuna.")
    comuna_nombre = serializers.CharField(source="comuna.nombre")
    region = serializers.CharField(source="comuna.region_id", help_text="CUT de la región.")

    class Meta:
        model = Municipalidad
        fields = [
            "uuid",
            "nombre",
            "comuna",
            "comuna_nombre",
            "region",
            "alcalde_nombre",
            "alcalde_tratamiento",
            "oficina_nombre",
            "oficina_dependencia",
            "oficina_direccion",
            "oficina_telefono",
            "oficina_email",
            "encargado_nombre",
            "encargado_email",
            "encargado_telefono",
            "actualizado",
        ]


class RegionViewSet(viewsets.ReadOnlyModelViewSet[Region]):
    """The 16 regiones (reference data, any authenticated user)."""

    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    lookup_field = "cut"
    cursor_ordering = "cut"


class ComunaViewSet(viewsets.ReadOnlyModelViewSet[Comuna]):
    """The 346 comunas keyed by CUT (reference data, any authenticated user)."""

    queryset = Comuna.objects.select_related("provincia")
    serializer_class = ComunaSerializer
    filterset_class = ComunaFilter
    lookup_field = "cut"
    cursor_ordering = "cut"


class MunicipalidadViewSet(viewsets.ReadOnlyModelViewSet[Municipalidad]):
    """Municipalities within the user's territory; others answer 404."""

    serializer_class = MunicipalidadSerializer
    filterset_class = MunicipalidadFilter
    lookup_field = "uuid"
    cursor_ordering = "comuna_id"

    def get_queryset(self) -> QuerySet[Municipalidad]:
        return municipalidades_visibles(usuario=self.request.user)
