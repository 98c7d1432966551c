"""FilterSets of the seal, shared by the HTML lists and the API.

Querysets are scoped before filtering: a filter only narrows what the user may already see.
Bad values (an unknown región, a malformed UUID, a state that does not exist) are validation
errors, answered 400 by the API.
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from municipios.models import Comuna, Region

from .models import Adhesion, EstadoEvidencia, EstadoSello, Evidencia, Linea


class AdhesionFilter(django_filters.FilterSet):
    estado = django_filters.ChoiceFilter(choices=EstadoSello.choices, label=_("Estado"))
    region = django_filters.ModelChoiceFilter(
        field_name="municipalidad__comuna__region", queryset=Region.objects.all(), label=_("Región (CUT)")
    )
    comuna = django_filters.ModelChoiceFilter(
        field_name="municipalidad__comuna", queryset=Comuna.objects.all(), label=_("Comuna (CUT)")
    )
    ciclo = django_filters.NumberFilter(min_value=1, max_value=32767, decimal_places=0, label=_("Ciclo"))

    class Meta:
        model = Adhesion
        fields = ["estado", "region", "comuna", "ciclo"]


class EvidenciaFilter(django_filters.FilterSet):
    estado = django_filters.ChoiceFilter(choices=EstadoEvidencia.choices, label=_("Estado"))
    adhesion = django_filters.UUIDFilter(field_name="adhesion__uuid", label=_("Adhesión (UUID)"))
    linea = django_filters.ChoiceFilter(field_name="accion__linea", choices=Linea.choices, label=_("Línea"))

    class Meta:
        model = Evidencia
        fields = ["estado", "adhesion", "linea"]
