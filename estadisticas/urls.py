from django.urls import include, path

app_name = "estadisticas"

# One module per area, each with its own ``urlpatterns``.
urlpatterns = [
    path("importaciones/", include("estadisticas.web.importaciones")),
    path("minutas/", include("estadisticas.web.minutas")),
    path("", include("estadisticas.web.tableros")),
    path("", include("estadisticas.web.mapas")),
]
