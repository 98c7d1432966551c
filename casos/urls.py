"""URLs of the case pages (/casos/...)."""

from .web import detalle, sermig

app_name = "casos"

urlpatterns = [*detalle.urlpatterns, *sermig.urlpatterns]
