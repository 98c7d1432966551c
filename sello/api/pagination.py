"""Cursor pagination with a capped page size: no OFFSET and no COUNT(*) in the request path."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import pagination, serializers
from rest_framework.request import Request


class CursorPagination(pagination.CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "pk"

    def get_page_size(self, request: Request) -> int:
        """``page_size`` absent or empty: the default; a whole number over the cap: the cap;
        anything else (text, zero, negative, a fraction) is a 400, never silently the default."""
        valor = request.query_params.get(self.page_size_query_param, "")
        if valor == "":
            return self.page_size
        if not (valor.isascii() and valor.isdigit()) or int(valor) < 1:
            mensaje = _("Debe ser un número entero entre 1 y %(max)d.") % {"max": self.max_page_size}
            raise serializers.ValidationError({self.page_size_query_param: [mensaje]})
        return min(int(valor), self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parametros: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parametro in parametros:
            if parametro["name"] == self.page_size_query_param:
                parametro["schema"]["minimum"] = 1
                parametro["description"] = _(
                    "Filas por página (por omisión %(defecto)d; un valor mayor que %(max)d se reduce a %(max)d)."
                ) % {"defecto": self.page_size, "max": self.max_page_size}
        return parametros

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> tuple[str, ...]:
        # Each viewset names its own stable, indexed ordering.
        ordering = getattr(view, "cursor_ordering", self.ordering)
        return (ordering,) if isinstance(ordering, str) else tuple(ordering)
