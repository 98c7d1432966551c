"""Input of the minuta pages and API: the FilterSet of the lists and the period check of a
request, shared by the HTML pages and the API.

The queryset is scoped before filtering: a filter only narrows what the user may already see.
A malformed period or CUT is a validation error (the API answers 400), never an empty match.
"""

import django_filters
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from .models import Minuta
from .periodos import PATRON, Periodo, PeriodoInvalido, periodo_actual

PERIODO = RegexValidator(PATRON.pattern, _("Use el formato 2026-S1 o 2026-S2."))
CUT_COMUNA = RegexValidator(r"^[0-9]{5}$", _("Use el código CUT de la comuna: 5 dígitos, por ejemplo 13108."))
CUT_REGION = RegexValidator(r"^[0-9]{2}$", _("Use el código CUT de la región: 2 dígitos, por ejemplo 13."))


class MinutaFilter(django_filters.FilterSet):
    periodo = django_filters.CharFilter(
        max_length=7, validators=[PERIODO], label=_("Periodo (semestre, p. ej. 2026-S1)")
    )
    estado = django_filters.ChoiceFilter(choices=Minuta.Estado.choices, label=_("Estado"))
    comuna = django_filters.CharFilter(
        field_name="comuna_id", max_length=5, validators=[CUT_COMUNA], label=_("Comuna (CUT)")
    )
    region = django_filters.CharFilter(
        field_name="comuna__region_id", max_length=2, validators=[CUT_REGION], label=_("Región (CUT)")
    )

    class Meta:
        model = Minuta
        fields = ["periodo", "estado", "comuna", "region"]


def periodo_solicitable(texto: str) -> Periodo:
    """The semester of a minuta request ("2026-S1"): well formed and already started."""
    try:
        periodo = Periodo.desde_texto(texto)
    except PeriodoInvalido as exc:
        raise ValidationError(str(exc), code="invalid") from exc
    if periodo > periodo_actual():
        raise ValidationError(
            _g("El periodo %(periodo)s aún no comienza: elija uno en curso o anterior.") % {"periodo": periodo},
            code="futuro",
        )
    return periodo
