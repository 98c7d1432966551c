"""FilterSet shared by the case lists (HTML), exports and the API."""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .models import Caso, EstadoCaso, Prioridad, TipoCaso
from .selectors import filtrar_vencidos


class CasoFilter(django_filters.FilterSet):
    estado = django_filters.ChoiceFilter(choices=EstadoCaso.choices, label=_("Estado"))
    tipo = django_filters.ChoiceFilter(choices=TipoCaso.choices, label=_("Tipo"))
    prioridad = django_filters.ChoiceFilter(choices=Prioridad.choices, label=_("Prioridad"))
    vencido = django_filters.BooleanFilter(method="filtrar_vencido", label=_("Vencido"))
    comuna = django_filters.CharFilter(field_name="comuna_id", label=_("Comuna (CUT)"))
    q = django_filters.CharFilter(method="buscar", label=_("Buscar (folio o N° SERMIG)"))

    class Meta:
        model = Caso
        fields = ["estado", "tipo", "prioridad", "vencido", "comuna", "q"]

    @extend_schema_field(OpenApiTypes.BOOL)
    def filtrar_vencido(self, queryset: QuerySet[Caso], name: str, value: Any) -> QuerySet[Caso]:
        if value is None:
            return queryset
        return filtrar_vencidos(queryset, bool(value))

    @extend_schema_field(OpenApiTypes.STR)
    def buscar(self, queryset: QuerySet[Caso], name: str, value: str) -> QuerySet[Caso]:
        # Search by folio or SERMIG request number only: a search by a person's name would
        # reveal sensitive cases' names through the result set.
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(folio__icontains=value) | Q(numero_solicitud_sermig__icontains=value))
