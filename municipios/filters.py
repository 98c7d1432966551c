"""FilterSets shared by the HTML lists and the API."""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Comuna, Municipalidad, Provincia, Region


class MunicipalidadFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="buscar", label=_("Buscar"))
    region = django_filters.ModelChoiceFilter(
        field_name="comuna__region", queryset=Region.objects.all(), label=_("Región")
    )
    provincia = django_filters.ModelChoiceFilter(
        field_name="comuna__provincia", queryset=Provincia.objects.all(), label=_("Provincia")
    )
    oficina_completa = django_filters.BooleanFilter(
        method="filtrar_oficina_completa", label=_("Datos de oficina completos")
    )

    class Meta:
        model = Municipalidad
        fields = ["q", "region", "provincia", "oficina_completa"]

    def buscar(self, queryset: QuerySet[Municipalidad], name: str, value: str) -> QuerySet[Municipalidad]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(comuna__nombre__icontains=value) | Q(nombre__icontains=value) | Q(comuna__cut=value))

    def filtrar_oficina_completa(
        self, queryset: QuerySet[Municipalidad], name: str, value: Any
    ) -> QuerySet[Municipalidad]:
        completa = Q(oficina_nombre__gt="", oficina_email__gt="", encargado_nombre__gt="")
        if value is None:
            return queryset
        return queryset.filter(completa) if value else queryset.exclude(completa)


class ComunaFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="nombre", lookup_expr="icontains", label=_("Nombre"))
    region = django_filters.CharFilter(field_name="region_id", label=_("Región (CUT)"))
    provincia = django_filters.CharFilter(field_name="provincia_id", label=_("Provincia (CUT)"))

    class Meta:
        model = Comuna
        fields = ["q", "region", "provincia"]
