"""Timing requests against each other in one process, through Django's whole stack.

Each side is a GET through ``django.test.Client`` (middleware, URL resolution, view,
rendering); the sides are interleaved after a warm-up, each round in a rotated order so
neither always runs first, and compared by their medians: the load of a shared machine at
any moment weighs on every side alike.
"""

import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ..base import segundo_factor

HOST = "localhost"  # in bench.settings.ALLOWED_HOSTS (the test client's "testserver" is not)


@dataclass
class Serie:
    """The wall-clock seconds of one side's requests."""

    nombre: str
    tiempos: list[float]

    @property
    def mediana(self) -> float:
        return statistics.median(self.tiempos)

    @property
    def p90(self) -> float:
        valores = sorted(self.tiempos)
        return valores[round(0.9 * (len(valores) - 1))]

    def texto(self) -> str:
        return f"median {1000 * self.mediana:.1f} ms · p90 {1000 * self.p90:.1f} ms (n={len(self.tiempos)})"


def cliente(*, token: str | None = None, usuario: Any = None) -> Client:
    """A client with an API token, or logged in with a session, or anonymous."""
    client = Client(headers={"Authorization": f"Token {token}"} if token else None, HTTP_HOST=HOST)
    if usuario is not None:
        client.force_login(usuario)
        segundo_factor(client, usuario)
    return client


def peticion(client: Client, url: str) -> Callable[[], bytes]:
    """A GET that must answer 200; returns the body (read whole, as a server would send it)."""

    def get() -> bytes:
        respuesta = client.get(url)
        if respuesta.status_code != 200:
            raise RuntimeError(f"GET {url}: {respuesta.status_code} {respuesta.content[:300]!r}")
        return b"".join(respuesta) if respuesta.streaming else respuesta.content

    return get


def intercalar(lados: Mapping[str, Callable[[], object]], *, n: int, calentamiento: int) -> dict[str, Serie]:
    """``n`` timed rounds of every side after ``calentamiento`` untimed ones."""
    nombres = list(lados)
    for _vuelta in range(calentamiento):
        for nombre in nombres:
            lados[nombre]()
    tiempos: dict[str, list[float]] = {nombre: [] for nombre in nombres}
    for vuelta in range(n):
        giro = vuelta % len(nombres)
        for nombre in nombres[giro:] + nombres[:giro]:
            inicio = time.perf_counter()
            lados[nombre]()
            tiempos[nombre].append(time.perf_counter() - inicio)
    return {nombre: Serie(nombre, valores) for nombre, valores in tiempos.items()}


def consultas(get: Callable[[], object]) -> list[str]:
    """The SQL one request runs (captured without DEBUG)."""
    with CaptureQueriesContext(connection) as capturadas:
        get()
    return [q["sql"] for q in capturadas.captured_queries]


def explicar(sql: str) -> list[str]:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of a captured statement (PostgreSQL), one line each."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return [fila[0] for fila in cursor.fetchall()]
