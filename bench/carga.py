"""Throughput of the case list under load ÷ the bare view under the same load (issue 7: ≥ 0.4).

gunicorn runs the app with its production settings (``sello.settings.prod`` through
``bench.settings_prod``, which adds only the floor's URL), on loopback, with gunicorn's rule
for sync workers, 2 x cores + 1 (``Dockerfile`` and ``docker-compose.yml`` fix 3), and the
access log on as there. ``wrk`` (one thread, 8 connections, no keep-alive since sync workers
close every connection) loads one URL at a time for bounded runs after a warm-up. Every request carries
``X-Forwarded-Proto: https``, as the TLS proxy in front of production does: the HTTPS
redirect, HSTS and secure cookies stay on and the request is served as in production.

Two pairs. (a) ``GET /api/v1/casos/`` with an officer's token (scoped, serialised, 50 rows,
cursor pagination) ÷ (b) the bare view ``/bench/piso/casos/`` returning the same 50 rows by
one raw SQL query and ``JsonResponse``: for the regional officer of the Región Metropolitana
(the bare view filtered to the región) and for a national officer. Each side is checked once
before the load (status 200, the same cases), then loaded in short runs, A B B A B A A B; the
ratio is of the requests per second over each side's runs.

For the capacity note, the main pages are then loaded once each (one run twice as long, after
a warm-up): the public home page, a municipal officer's home (their municipality's page, where
``/`` redirects them), their case list page, the regional and the national dashboards, by
session cookie. wrk, gunicorn and PostgreSQL share the machine's cores, as they would on a
one-machine deployment.
"""

import os
import shutil
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from .base import Capacidad, Cifra, Opciones, Seccion
from .servidor import HTTPS, Carga, Servidor, peticion, sesion, wrk
from .web.datos import Persona, Personas, personas, preparar_web

META = 0.4
DURACION = 5  # seconds per run; each side runs 4 times, interleaved (ORDEN)
# A = API, B = bare view: short runs in a balanced order, so a burst of load from elsewhere on
# a shared machine falls on both sides alike.
ORDEN = "ABBABAAB"
CALENTAMIENTO = 3
CONEXIONES = 8
# gunicorn's rule for sync workers: 2 x cores + 1 (5 on the 2-core machine of the report).
WORKERS = 2 * (os.cpu_count() or 1) + 1
RM = "13"
API = "/api/v1/casos/"
PISO = "/bench/piso/casos/"


# The capacity note's names for the pages of ``_paginas``, in the same order.
CLAVES_PAGINAS = ("publica", "municipal", "lista_casos", "tablero_regional", "tablero_nacional")


def _paginas(gente: Personas) -> list[tuple[str, str, Any]]:
    """The main pages: (name, URL, the user whose session loads it, or None)."""
    municipal = gente.municipal_1000
    municipalidad = municipal.usuario.municipalidad
    assert municipalidad is not None  # a municipal officer's
    return [
        ("Public home page (anonymous)", reverse("home"), None),
        (
            f"Municipal officer's home (their municipality, {municipal.etiqueta})",
            reverse("municipios:detail", kwargs={"uuid": municipalidad.uuid}),
            municipal.usuario,
        ),
        (
            f"Case list page, {municipal.etiqueta} ({municipal.casos:,} cases)",
            reverse("casos:lista"),
            municipal.usuario,
        ),
        (f"Regional dashboard, región {RM}", reverse("estadisticas:region", args=[RM]), gente.regional.usuario),
        ("National dashboard", reverse("estadisticas:nacional"), gente.nacional.usuario),
    ]


def _uuids(cuerpo: Any) -> list[str]:
    return [str(fila["uuid"]) for fila in cuerpo["results"]]


@dataclass
class Corridas:
    """The wrk runs of one side."""

    cargas: list[Carga] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return sum(c.peticiones for c in self.cargas) / sum(c.segundos for c in self.cargas)

    def texto(self) -> str:
        return " · ".join(c.texto() for c in self.cargas)


def _paginas_bajo_carga(
    servidor: Servidor, gente: Personas, cabeceras: dict[str, str], duracion: float, calentamiento: float
) -> list[tuple[str, Carga]]:
    medidas, claves = [], []
    try:
        for nombre, url, usuario in _paginas(gente):
            con_sesion = dict(cabeceras)
            if usuario is not None:
                claves.append(sesion(usuario, servidor.clave))
                con_sesion["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={claves[-1]}"
            peticion(servidor.url + url, con_sesion, html=True)
            if calentamiento:
                wrk(servidor.url + url, con_sesion, duracion=calentamiento, conexiones=CONEXIONES)
            medidas.append((nombre, wrk(servidor.url + url, con_sesion, duracion=duracion, conexiones=CONEXIONES)))
    finally:
        Session.objects.filter(session_key__in=claves).delete()
    return medidas


@dataclass(frozen=True)
class Par:
    """The API as one officer sees it and the bare view returning the same rows."""

    nombre: str
    api: tuple[str, dict[str, str]]
    piso: tuple[str, dict[str, str]]


def _pares(gente: Personas) -> list[Par]:
    def token(persona: Persona) -> dict[str, str]:
        return {**HTTPS, "Authorization": f"Token {persona.token}"}

    return [
        Par(f"regional officer, región {RM}", (API, token(gente.regional)), (f"{PISO}?region={RM}", HTTPS)),
        Par("national officer", (API, token(gente.nacional)), (PISO, HTTPS)),
    ]


def _medir_par(
    servidor: Servidor, par: Par, duracion: float, calentamiento: float, orden: str
) -> tuple[Corridas, Corridas, int]:
    """Both sides checked (same cases), warmed up, then loaded in ``orden``."""
    uuids = [_uuids(peticion(servidor.url + url, cab)) for url, cab in (par.api, par.piso)]
    if uuids[0] != uuids[1] or not uuids[0]:
        raise RuntimeError(f"{par.nombre}: the API and the bare view do not return the same cases")
    for url, cab in (par.api, par.piso) if calentamiento else ():
        wrk(servidor.url + url, cab, duracion=calentamiento, conexiones=CONEXIONES)
    api, piso = Corridas(), Corridas()
    for lado in orden:
        corridas, (url, cab) = (api, par.api) if lado == "A" else (piso, par.piso)
        corridas.cargas.append(wrk(servidor.url + url, cab, duracion=duracion, conexiones=CONEXIONES))
    return api, piso, len(uuids[0])


def medir_carga(
    gente: Personas,
    *,
    duracion: float = DURACION,
    calentamiento: float = CALENTAMIENTO,
    workers: int = WORKERS,
    paginas: bool = True,
    estaticos: bool = True,
    orden: str = ORDEN,
) -> Seccion:
    """Measure the pairs and the pages on the data present (``calentamiento`` 0: no
    warm-up); see the module docstring."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is missing: apt-get install wrk")
    carga_inicial = os.getloadavg()[0]
    medidas = []
    with Servidor(workers=workers, estaticos=estaticos) as servidor:
        for par in _pares(gente):
            medidas.append((par, *_medir_par(servidor, par, duracion, calentamiento, orden)))
        de_paginas = _paginas_bajo_carga(servidor, gente, HTTPS, 2 * duracion, calentamiento) if paginas else []
        memoria = servidor.memoria_workers_mb()

    cifras = [
        Cifra(
            f"case list API under load, {par.nombre} (gunicorn {workers} workers, wrk {CONEXIONES} connections), "
            "req/s ÷ bare view's",
            api.rps / piso.rps,
            META,
            sentido=">=",
        )
        for par, api, piso, _filas in medidas
    ]
    absolutos = [
        ("Cases in the database", f"{gente.nacional.casos:,} ({gente.regional.casos:,} in región {RM})"),
        ("Rows per response", " · ".join(f"{par.nombre}: {filas}" for par, _a, _p, filas in medidas)),
    ]
    for par, api, piso, _filas in medidas:
        absolutos += [
            (f"API, {par.nombre}, each run", api.texto()),
            ("Bare view, same rows, each run", piso.texto()),
            (f"API / bare view, {par.nombre}, requests per second", f"{api.rps:,.0f} / {piso.rps:,.0f}"),
        ]
    absolutos += [
        *((f"Page: {nombre}", carga.texto()) for nombre, carga in de_paginas),
        ("gunicorn workers' resident memory after the load", " · ".join(f"{mb:.0f} MiB" for mb in memoria) or "?"),
        ("Load average (1 min) at start / end", f"{carga_inicial:.1f} / {os.getloadavg()[0]:.1f}"),
    ]
    capacidad = [
        Capacidad(f"api:{par.nombre}", f"Case list API, {par.nombre}", api.rps, "req/s")
        for par, api, _piso, _filas in medidas
    ]
    capacidad += [
        Capacidad(f"pagina:{clave}", nombre, carga.rps, "req/s")
        for (clave, (nombre, carga)) in zip(CLAVES_PAGINAS, de_paginas, strict=False)
    ]
    if memoria:
        capacidad.append(Capacidad("memoria_worker", "gunicorn worker, resident memory (largest)", memoria[-1], "MiB"))
    metodo = [" ".join(parrafo.split()) for parrafo in (__doc__ or "").split("\n\n")[1:]]
    return Seccion(titulo="Under load", cifras=cifras, absolutos=absolutos, metodo=metodo, capacidad=capacidad)


def medir(opciones: Opciones) -> Seccion:
    """The volume data (``seed_volume``, reused when present) and its bench users, then
    ``medir_carga``."""
    preparar_web()
    return medir_carga(personas())
