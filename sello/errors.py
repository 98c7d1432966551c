"""Error pages: JSON (the API's one error format) under /api/, HTML elsewhere."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from .api.errors import json_not_found, json_server_error


def handler404(request: HttpRequest, exception: Any) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_not_found(request)
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_server_error(request)
    return defaults.server_error(request)
