"""Pagination of the case lists at national scale (issue 7): the total of a page is the
planner's estimate for a national officer's unfiltered list, else an exact count of what the
user may see, made without joining every case with its person (``selectors.contar_visibles``)."""

from collections.abc import Callable
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property

from .. import selectors
from ..filters import CasoFilter
from ..models import Caso


class PaginadorCasos(Paginator):
    """A paginator whose total is given instead of counted by ``object_list.count()``."""

    def __init__(self, object_list: QuerySet[Caso], per_page: int, *, total: int) -> None:
        super().__init__(object_list, per_page)
        self.total = total

    @cached_property
    def count(self) -> int:
        return self.total


def sin_filtros(request: HttpRequest) -> bool:
    return not any(valor for clave, valor in request.GET.items() if clave != "page")


def total_de(
    request: HttpRequest,
    filtro: CasoFilter,
    *,
    solo: Callable[[QuerySet[Caso]], QuerySet[Caso]] | None = None,
    estimar: bool = True,
) -> int:
    """The total of a filtered case list built on ``casos_visibles`` (narrowed by ``solo``, as
    the queue narrows it to open cases): estimated when ``estimar`` allows and the list is a
    national officer's, unfiltered, over a big table; counted exactly otherwise."""
    usuario: Any = request.user
    if estimar and solo is None and sin_filtros(request):
        estimado = selectors.total_estimado(usuario=usuario)
        if estimado is not None:
            return estimado
    filtro.errors  # noqa: B018 - validates the form: filter_queryset reads its cleaned data

    def filtrar(qs: QuerySet[Caso]) -> QuerySet[Caso]:
        return filtro.filter_queryset(solo(qs) if solo else qs)

    return selectors.contar_visibles(usuario=usuario, filtrar=filtrar)
