"""Fault: a Celery worker killed (SIGKILL) in the middle of a minuta.

Real worker processes, as in tests/test_celery_worker.py (the test database, a Redis DB and a
queue of their own; its helpers are reused). The first worker is slowed at one point of the
generation — while WeasyPrint renders, or after the PDF was written but before the row is
committed — and killed there. A second worker then gets the job from the sweep that the beat
runs every ten minutes (``minutas_reintentar``: a ``generando`` job whose worker is gone), and
the job ends ``lista`` with exactly one file: the leftover of the killed run is replaced, not
kept beside the new one.
"""

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from estadisticas import minutas
from estadisticas.models import Minuta
from estadisticas.periodos import periodo_actual
from municipios.models import Comuna
from sello.celery import app

from .test_celery_worker import (
    ARRANQUE_SEGUNDOS,
    BROKER_URL,
    ENV_BROKER,
    PROJECT_DIR,
    Worker,
    broker_de_celery,
    database_url,
    detener,
    esperar,
    responde,
    vaciar_cola,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ESPERA_SEGUNDOS = 30.0
# Starts Celery's command line after slowing the generation where SELLO_FALLAS_PAUSA_EN says:
# "render" (inside WeasyPrint) or "guardado" (once a minuta's PDF is written to the storage).
ARRANQUE = """
import os, sys, time

punto = os.environ.get("SELLO_FALLAS_PAUSA_EN", "")
if punto == "render":
    import weasyprint

    original = weasyprint.HTML.write_pdf

    def lento(self, *args, **kwargs):
        time.sleep(300)
        return original(self, *args, **kwargs)

    weasyprint.HTML.write_pdf = lento
elif punto == "guardado":
    from django.core.files.storage import FileSystemStorage

    original_save = FileSystemStorage._save

    def lento_save(self, name, content):
        guardado = original_save(self, name, content)
        if name.startswith("minutas/"):
            time.sleep(300)
        return guardado

    FileSystemStorage._save = lento_save

from celery.__main__ import main

sys.argv = ["celery", *sys.argv[1:]]
main()
"""


@contextmanager
def worker_propio(cola: str, media: Path, log: Path, pausa_en: str = "") -> Iterator[Worker]:
    """A worker process on the test database, the test broker and ``cola``, storing files under
    ``media``; stopped (if still alive) on exit."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in ENV_BROKER},
        "DJANGO_SETTINGS_MODULE": "sello.settings.dev",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": database_url(connection.settings_dict),
        "DATABASE_POOL": "false",
        "DJANGO_MEDIA_ROOT": str(media),
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_TASK_DEFAULT_QUEUE": cola,
        "SELLO_FALLAS_PAUSA_EN": pausa_en,
        "PYTHONUNBUFFERED": "1",
    }
    nodo = f"{cola}-{log.stem}@{socket.gethostname()}"
    comando = [
        sys.executable,
        "-c",
        ARRANQUE,
        "-A",
        "sello",
        "worker",
        "--pool=solo",
        "-Q",
        cola,
        "-n",
        nodo,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-l",
        "info",
    ]
    with log.open("wb") as salida:
        proceso = subprocess.Popen(comando, cwd=PROJECT_DIR, env=env, stdout=salida, stderr=subprocess.STDOUT)
    trabajador = Worker(proceso=proceso, nodo=nodo, cola=cola, log=log)
    try:
        listo = esperar(lambda: proceso.poll() is not None or responde(nodo), ARRANQUE_SEGUNDOS, intervalo=0.2)
        if proceso.poll() is not None or not listo:
            pytest.fail(f"the worker {nodo} did not start:\n{trabajador.salida()}")
        yield trabajador
    finally:
        detener(proceso)


def estado_de(minuta_id: int) -> str:
    return Minuta.objects.values_list("estado", flat=True).get(pk=minuta_id)


def archivos_de(media: Path, minuta: Minuta) -> list[str]:
    carpeta = media / "minutas" / minuta.comuna_id / minuta.periodo
    return sorted(p.name for p in carpeta.glob("*")) if carpeta.exists() else []


@pytest.mark.parametrize("pausa_en", ["render", "guardado"])
def test_a_minuta_whose_worker_is_killed_is_retried_and_ends_with_one_file(
    pausa_en: str, tmp_path: Path, settings
) -> None:
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    cola = f"sello-fallas-{os.getpid()}"
    vaciar_cola(BROKER_URL, cola)
    comuna = Comuna.objects.get(cut="13108")
    with broker_de_celery(app, BROKER_URL, cola):
        try:
            # Given a worker slowed at one point of the generation
            with worker_propio(cola, media, tmp_path / "primero.log", pausa_en=pausa_en) as primero:
                minuta = minutas.minuta_solicitar(comuna=comuna, periodo=periodo_actual())
                assert esperar(lambda: estado_de(minuta.pk) == Minuta.Estado.GENERANDO, ESPERA_SEGUNDOS), (
                    primero.salida()
                )
                if pausa_en == "guardado":
                    assert esperar(lambda: archivos_de(media, minuta), ESPERA_SEGUNDOS), primero.salida()
                # When it is killed there
                primero.proceso.send_signal(signal.SIGKILL)
                primero.proceso.wait(timeout=10)
            # Then the job stays "generando" with nothing committed (a leftover file at most)
            minuta.refresh_from_db()
            assert (minuta.estado, minuta.archivo.name, minuta.intentos) == (Minuta.Estado.GENERANDO, "", 1)
            restos = archivos_de(media, minuta)
            assert len(restos) == (1 if pausa_en == "guardado" else 0)

            # When the beat's sweep runs once the job counts as abandoned, with a healthy worker
            with worker_propio(cola, media, tmp_path / "segundo.log") as segundo:
                despues = timezone.now() + minutas.ABANDONO + timedelta(minutes=1)
                assert minutas.minutas_reintentar(ahora=despues) == 1
                listo = esperar(lambda: estado_de(minuta.pk) == Minuta.Estado.LISTA, ESPERA_SEGUNDOS)
                assert listo, segundo.salida()
        finally:
            vaciar_cola(BROKER_URL, cola)

    # Then it ends "lista", on its second attempt, with exactly one file: the one it points at
    minuta.refresh_from_db()
    assert (minuta.estado, minuta.error, minuta.intentos) == (Minuta.Estado.LISTA, "", 2)
    assert archivos_de(media, minuta) == [Path(minuta.archivo.name).name]
    assert restos in ([], archivos_de(media, minuta))  # the leftover was replaced under its name
    assert (media / minuta.archivo.name).stat().st_size == minuta.tamano
