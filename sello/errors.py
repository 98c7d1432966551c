"""Error pages: JSON (the API's one error format) under /api/, HTML elsewhere."""

import sys
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from .api.errors import json_not_found, json_server_error
from .fallas import respuesta_de_falla


def handler404(request: HttpRequest, exception: Any) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_not_found(request)
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    # Called while the exception is handled: a database that failed inside a middleware (the
    # session, the user) gets the same 503 as one that failed inside a view.
    exc = sys.exception()
    if exc is not None and (respuesta := respuesta_de_falla(request, exc)) is not None:
        return respuesta
    if request.path.startswith("/api/"):
        return json_server_error(request)
    return defaults.server_error(request)
