"""FilterSets of trainings, operativos and good practices (API lists; the pages may share them).

Querysets are scoped (or limited to published practices) before filtering: a filter only narrows
what the user may already see. Bad values (an unknown región or comuna, a year out of range, a
choice that does not exist) are validation errors, answered 400 by the API.
"""

from datetime import date, datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from municipios.models import Comuna, Region
from sello.models import Linea

from .models import (
    BuenaPractica,
    Capacitacion,
    DispositivoTerritorial,
    Invitacion,
    Modalidad,
    Organizador,
    Sesion,
    Tema,
    TipoDispositivo,
)
from .selectors import buenas_practicas_publicadas

ANIO_MIN, ANIO_MAX = 1900, 2100


class AnioFilter(django_filters.NumberFilter):
    """A year, bounded: one outside the calendar is a 400, never a database error."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", ANIO_MIN)
        kwargs.setdefault("max_value", ANIO_MAX)
        super().__init__(*args, **kwargs)


def inicio_de_anio(anio: int) -> datetime:
    return timezone.make_aware(datetime(anio, 1, 1))


class CapacitacionFilter(django_filters.FilterSet):
    tema = django_filters.ChoiceFilter(choices=Tema.choices, label=_("Tema"))
    modalidad = django_filters.ChoiceFilter(choices=Modalidad.choices, label=_("Modalidad"))
    organizador = django_filters.ChoiceFilter(choices=Organizador.choices, label=_("Organiza"))
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.all(),
        method="filtrar_region",
        label=_("Región (CUT): organizadas en la región o que invitan a sus municipalidades"),
    )
    anio = AnioFilter(method="filtrar_anio", label=_("Año de alguna de sus sesiones"))
    q = django_filters.CharFilter(method="buscar", label=_("Buscar en el título"))

    class Meta:
        model = Capacitacion
        fields = ["tema", "modalidad", "organizador", "region", "anio", "q"]

    def filtrar_region(self, queryset: QuerySet[Capacitacion], name: str, value: Region) -> QuerySet[Capacitacion]:
        invita = Invitacion.objects.filter(capacitacion=OuterRef("pk"), municipalidad__comuna__region=value)
        return queryset.filter(
            Q(region=value) | Q(municipalidad_organizadora__comuna__region=value) | Q(Exists(invita))
        )

    def filtrar_anio(self, queryset: QuerySet[Capacitacion], name: str, value: int) -> QuerySet[Capacitacion]:
        # (Methods get only non-empty values; the type hints document the parameters.)
        en_el_anio = Sesion.objects.filter(
            capacitacion=OuterRef("pk"), inicio__gte=inicio_de_anio(value), inicio__lt=inicio_de_anio(value + 1)
        )
        return queryset.filter(Exists(en_el_anio))

    def buscar(self, queryset: QuerySet[Capacitacion], name: str, value: str) -> QuerySet[Capacitacion]:
        value = value.strip()
        return queryset.filter(titulo__icontains=value) if value else queryset


class DispositivoFilter(django_filters.FilterSet):
    tipo = django_filters.ChoiceFilter(choices=TipoDispositivo.choices, label=_("Tipo de operativo"))
    comuna = django_filters.ModelChoiceFilter(queryset=Comuna.objects.all(), label=_("Comuna (CUT)"))
    region = django_filters.ModelChoiceFilter(
        field_name="comuna__region", queryset=Region.objects.all(), label=_("Región (CUT)")
    )
    anio = AnioFilter(method="filtrar_anio", label=_("Año del operativo"))

    class Meta:
        model = DispositivoTerritorial
        fields = ["tipo", "comuna", "region", "anio"]

    def filtrar_anio(
        self, queryset: QuerySet[DispositivoTerritorial], name: str, value: int
    ) -> QuerySet[DispositivoTerritorial]:
        return queryset.filter(fecha__gte=date(value, 1, 1), fecha__lt=date(value + 1, 1, 1))


class BuenaPracticaFilter(django_filters.FilterSet):
    linea = django_filters.TypedChoiceFilter(
        choices=Linea.choices, coerce=int, method="filtrar_linea", label=_("Línea de acción")
    )
    region = django_filters.ModelChoiceFilter(
        field_name="comuna__region", queryset=Region.objects.all(), label=_("Región (CUT)")
    )
    anio = AnioFilter(field_name="anio_inicio", label=_("Año de inicio"))
    q = django_filters.CharFilter(method="buscar", label=_("Búsqueda de texto completo"))

    class Meta:
        model = BuenaPractica
        fields = ["linea", "region", "anio", "q"]

    def filtrar_linea(self, queryset: QuerySet[BuenaPractica], name: str, value: int) -> QuerySet[BuenaPractica]:
        # JSON "contains" does not exist on SQLite (the embedded default): match the number in the
        # list's text form instead, which works on both databases.
        return queryset.annotate(lineas_texto=Cast("lineas", output_field=CharField())).filter(
            lineas_texto__regex=rf"(^|[^0-9]){int(value)}([^0-9]|$)"
        )

    def buscar(self, queryset: QuerySet[BuenaPractica], name: str, value: str) -> QuerySet[BuenaPractica]:
        # The full-text search (Spanish configuration on PostgreSQL) is the selector's; here it
        # narrows what the other filters left.
        if not value.strip():
            return queryset
        return queryset.filter(pk__in=buenas_practicas_publicadas(texto=value).values("pk"))
