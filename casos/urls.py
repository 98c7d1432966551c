"""URLs of the case pages (/casos/...)."""

from .web import detalle, privacidad, sermig

app_name = "casos"

urlpatterns = [*detalle.urlpatterns, *sermig.urlpatterns, *privacidad.urlpatterns]
