"""The floor the web ratios divide by: a bare Django view returning the same 50 cases as the
case list API (same rows, same columns, same order) by one raw SQL query and ``JsonResponse``.

No authentication, no serializer, no masking: what is left is Django's request/response cycle
(the same middleware as the API) and the database's own work on the same query shape.
"""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

FILAS = 50

# The columns the list API shows, read straight from the tables.
SELECT = """
SELECT c.uuid, c.folio, c.comuna_id, co.nombre AS comuna_nombre, co.region_id,
       p.nombres, p.apellidos, p.tipo_documento, p.documento_normalizado, p.es_nna,
       c.tipo, c.subtipo, c.prioridad, c.canal, c.estado, c.sensible,
       u.first_name, u.last_name, u.username,
       c.derivado_en, c.plazo, c.vencido, c.creado_en, c.actualizado_en, c.version
  FROM casos_caso c
  JOIN municipios_comuna co ON co.cut = c.comuna_id
  JOIN casos_persona p ON p.id = c.persona_id
  LEFT JOIN municipios_usuario u ON u.id = c.asignado_a_id
"""
ORDEN = " ORDER BY c.creado_en DESC, c.id DESC LIMIT %s"


@require_GET
def casos(request: HttpRequest) -> JsonResponse:
    """The 50 most recent cases of the country, or of ``?region=CUT`` (the regional scope)."""
    region = request.GET.get("region")
    parametros: list[str | int] = [FILAS]
    sql = SELECT + ORDEN
    if region:
        sql, parametros = SELECT + " WHERE co.region_id = %s" + ORDEN, [region, FILAS]
    with connection.cursor() as cursor:
        cursor.execute(sql, parametros)
        columnas = [c.name for c in cursor.description]
        filas = [dict(zip(columnas, fila, strict=True)) for fila in cursor.fetchall()]
    return JsonResponse({"next": None, "previous": None, "results": filas})
