"""Cursor pagination with a capped page size: no OFFSET and no COUNT(*) in the request path."""

from typing import Any

from django.db.models import QuerySet
from rest_framework import pagination
from rest_framework.request import Request


class CursorPagination(pagination.CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "pk"

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> tuple[str, ...]:
        # Each viewset names its own stable, indexed ordering.
        ordering = getattr(view, "cursor_ordering", self.ordering)
        return (ordering,) if isinstance(ordering, str) else tuple(ordering)
