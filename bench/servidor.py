"""The plumbing of the load test: gunicorn with the production settings on a loopback port,
``wrk`` runs and their report, one checked request, a session cookie for a bench user."""

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import override_settings

from .base import segundo_factor

SETTINGS = "bench.settings_prod"
ARRANQUE = 60  # seconds gunicorn gets to answer /healthz
UNIDADES = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}
# What the TLS proxy in front of production sends: without it, the HTTPS redirect answers 301.
HTTPS = {"X-Forwarded-Proto": "https"}


def url_base_de_datos() -> str:
    """DATABASE_URL of the database this process uses (pytest's test database included)."""
    d = connection.settings_dict
    usuario = quote(d.get("USER") or "", safe="")
    clave = f":{quote(d['PASSWORD'], safe='')}" if d.get("PASSWORD") else ""
    servidor = f"{d.get('HOST') or '127.0.0.1'}:{d.get('PORT') or 5432}"
    return f"postgres://{usuario}{clave}@{servidor}/{quote(d['NAME'], safe='')}"


def _puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _estaticos_al_dia() -> bool:
    """Whether ``var/bench-static`` holds a manifest newer than the project's static files and
    the lock file (collectstatic compresses every file: ~90 s here)."""
    manifiesto = Path(settings.BASE_DIR) / "var" / "bench-static" / "staticfiles.json"
    if not manifiesto.exists():
        return False
    fuentes = [Path(settings.BASE_DIR) / "requirements.lock"]
    for carpeta in settings.STATICFILES_DIRS:
        fuentes += [f for f in Path(carpeta).rglob("*") if f.is_file()]
    return all(f.stat().st_mtime < manifiesto.stat().st_mtime for f in fuentes if f.exists())


class Servidor:
    """gunicorn serving ``bench.settings_prod`` for the length of a ``with`` block.

    The environment production requires: a fresh 64-character secret key, the allowed host,
    the database of this process. Static files are collected first (WhiteNoise's manifest
    storage refuses to render a page without its manifest) unless ``estaticos`` is false.
    """

    def __init__(self, *, workers: int, estaticos: bool = True) -> None:
        self.workers, self.estaticos = workers, estaticos
        self.clave = secrets.token_urlsafe(64)
        self.url = f"http://127.0.0.1:{_puerto_libre()}"
        self.proceso: subprocess.Popen[bytes] | None = None
        self.registro = Path(settings.BASE_DIR) / "var" / "bench-gunicorn.log"

    def entorno(self) -> dict[str, str]:
        entorno = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
        entorno.update(
            DJANGO_SETTINGS_MODULE=SETTINGS,
            DJANGO_SECRET_KEY=self.clave,
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DATABASE_URL=url_base_de_datos(),
            PYTHONPATH=str(settings.BASE_DIR),
        )
        return entorno

    def __enter__(self) -> "Servidor":
        base = str(settings.BASE_DIR)
        if self.estaticos and not _estaticos_al_dia():
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                cwd=base,
                env=self.entorno(),
                check=True,
            )
        self.registro.parent.mkdir(parents=True, exist_ok=True)
        puerto = self.url.rsplit(":", 1)[1]
        orden = [sys.executable, "-m", "gunicorn", "sello.wsgi:application", "--bind", f"127.0.0.1:{puerto}"]
        orden += ["--workers", str(self.workers), "--access-logfile", os.devnull, "--chdir", base]
        with self.registro.open("wb") as registro:
            self.proceso = subprocess.Popen(orden, env=self.entorno(), stdout=registro, stderr=registro)  # noqa: S603
        limite = time.monotonic() + ARRANQUE
        while time.monotonic() < limite:
            if self.proceso.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {self.registro}")
            try:
                peticion(f"{self.url}/healthz", HTTPS, html=True)
                return self
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not answer in {ARRANQUE} s: see {self.registro}")

    def __exit__(self, tipo: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.proceso is not None and self.proceso.poll() is None:
            self.proceso.send_signal(signal.SIGTERM)  # the master stops its workers
            try:
                self.proceso.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proceso.kill()
                self.proceso.wait()

    def memoria_workers_mb(self) -> list[float]:
        """Resident memory of each worker (MiB), read from /proc, smallest first."""
        if self.proceso is None:
            return []
        rss = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                campos = stat.read_text().rsplit(")", 1)[1].split()
                if int(campos[1]) == self.proceso.pid:
                    estado = (stat.parent / "status").read_text()
                    kib = re.search(r"VmRSS:\s+(\d+) kB", estado)
                    rss.append(int(kib[1]) / 1024 if kib else 0.0)
            except (OSError, IndexError, ValueError):
                continue
        return sorted(rss)


def peticion(url: str, cabeceras: dict[str, str], *, html: bool = False) -> Any:
    """One GET that must answer 200 (not a redirect to the login page): the body, parsed
    when JSON."""
    solicitud = urllib.request.Request(url, headers=cabeceras)  # noqa: S310 - loopback
    opener = urllib.request.build_opener(_SinRedireccion)
    with opener.open(solicitud, timeout=30) as respuesta:
        if respuesta.status != 200:
            raise RuntimeError(f"GET {url}: {respuesta.status}")
        cuerpo = respuesta.read()
    return cuerpo.decode() if html else json.loads(cuerpo)


class _SinRedireccion(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError(f"unexpected redirect to {args[-1]}")


def sesion(usuario: Any, clave: str) -> str:
    """A logged-in session of ``usuario`` for a server whose secret key is ``clave`` (the
    session data and the user's auth hash are signed with it)."""
    with override_settings(SECRET_KEY=clave):
        cliente = Client()
        cliente.force_login(usuario)
        segundo_factor(cliente, usuario)
        return str(cliente.cookies[settings.SESSION_COOKIE_NAME].value)


@dataclass(frozen=True)
class Carga:
    """One wrk run."""

    peticiones: int
    segundos: float
    p50: float
    p99: float
    errores: int

    @property
    def rps(self) -> float:
        return self.peticiones / self.segundos

    def texto(self) -> str:
        return (
            f"{self.rps:,.0f} req/s ({self.peticiones:,} in {self.segundos:.1f} s; "
            f"latency p50 {1000 * self.p50:.1f} ms, p99 {1000 * self.p99:.1f} ms)"
        )


def _segundos(texto: str) -> float:
    leido = re.fullmatch(r"([\d.]+)(us|ms|s|m)", texto)
    if leido is None:
        raise RuntimeError(f"unreadable wrk duration: {texto}")
    return float(leido[1]) * UNIDADES[leido[2]]


def leer_wrk(salida: str) -> Carga:
    """The figures of wrk's report (run with ``--latency``)."""
    hechas = re.search(r"(\d+) requests in ([\d.]+(?:us|ms|s|m))", salida)
    p50, p99 = (re.search(rf"^\s+{p}%\s+(\S+)\s*$", salida, re.MULTILINE) for p in (50, 99))
    if hechas is None or p50 is None or p99 is None:
        raise RuntimeError(f"unreadable wrk output:\n{salida}")
    no_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", salida)
    socket_ = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", salida)
    errores = (int(no_2xx[1]) if no_2xx else 0) + (sum(int(n) for n in socket_.groups()) if socket_ else 0)
    return Carga(int(hechas[1]), _segundos(hechas[2]), _segundos(p50[1]), _segundos(p99[1]), errores)


def wrk(url: str, cabeceras: dict[str, str], *, duracion: float, conexiones: int) -> Carga:
    """A bounded wrk run (one thread) on one URL; a run with any error is refused."""
    orden = ["wrk", "-t1", f"-c{conexiones}", f"-d{max(1, round(duracion))}s", "--latency", "--timeout", "30s"]
    for nombre, valor in cabeceras.items():
        orden += ["-H", f"{nombre}: {valor}"]
    resultado = subprocess.run(  # noqa: S603
        [*orden, url], capture_output=True, text=True, check=True, timeout=duracion + 60
    )
    carga = leer_wrk(resultado.stdout)
    if carga.errores:
        raise RuntimeError(f"wrk {url}: {carga.errores} errors or non-2xx responses\n{resultado.stdout}")
    return carga
