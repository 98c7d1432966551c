"""``{% load cifras %}``: numbers written the es-CL way whatever the worker's locale."""

from typing import Any

from django import template

from estadisticas.graficos import formatear

register = template.Library()


@register.filter
def cifra(valor: Any, decimales: int | None = None) -> str:
    """1625074 → "1.625.074"; 12.345 with ``decimales=1`` → "12,3"; None → "—"."""
    if valor is None or valor == "":
        return "—"
    try:
        numero = float(valor)
    except (TypeError, ValueError):
        return str(valor)
    if decimales is not None:
        numero = round(numero, int(decimales))
    return formatear(int(numero) if numero.is_integer() and decimales is None else numero)
