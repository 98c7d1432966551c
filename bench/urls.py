"""The bench's URLconf: the project's own, plus the bare floor views the ratios divide by
(``bench.web.piso``). Only ``bench.settings`` uses it; the floor never ships with the app."""

from django.urls import include, path

from .web import piso

urlpatterns = [
    path("bench/piso/casos/", piso.casos, name="bench-piso-casos"),
    path("", include("sello.urls")),
]

handler404 = "sello.errors.handler404"
handler500 = "sello.errors.handler500"
