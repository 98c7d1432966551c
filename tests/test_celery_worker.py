"""A real Celery worker process against the test database and a Redis broker of its own.

The rest of the suite runs tasks eagerly (``sello.settings.test``). Here one worker subprocess
is started per module with:

* pytest-django's *test* database (``DATABASE_URL`` built from ``connection.settings_dict``), so
  the tests need ``django_db(transaction=True)`` to see what the worker commits;
* the Redis URL of ``SELLO_TEST_BROKER_URL`` (a separate Redis DB, 15 by default);
* a queue and a node name of its own, so no other worker takes these tasks.

The Celery app of the test process is switched to that broker for the module and restored after.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import pytest
from celery import Celery
from celery.result import EagerResult
from django.db import connection
from django.test import Client
from django.utils import timezone
from kombu import Connection, Exchange, Queue
from kombu import pools as kombu_pools
from kombu.exceptions import OperationalError as BrokerError

from sello.celery import app
from sello.models import LatidoWorker
from sello.tasks import latido

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BROKER_URL = os.environ.get("SELLO_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
BROKER_CERRADO = "redis://127.0.0.1:1/0"  # nothing listens on port 1
PROJECT_DIR = Path(__file__).resolve().parent.parent
ARRANQUE_SEGUNDOS = 30.0
TAREA_SEGUNDOS = 20.0
# Environment variables that Celery reads *before* app.conf (celery.app.utils.Settings).
ENV_BROKER = ("CELERY_BROKER_URL", "CELERY_BROKER_WRITE_URL", "CELERY_BROKER_READ_URL")

T = TypeVar("T")


@dataclass(frozen=True)
class Worker:
    """A running worker subprocess: its node name, its queue and where it logs."""

    proceso: subprocess.Popen[bytes]
    nodo: str
    cola: str
    log: Path

    def salida(self) -> str:
        """Everything the worker has written so far (stdout and stderr)."""
        return self.log.read_text(encoding="utf-8", errors="replace")


def esperar(condicion: Callable[[], T | None], segundos: float, intervalo: float = 0.1) -> T | None:
    """Call ``condicion`` until it returns something truthy or ``segundos`` pass; return it."""
    limite = time.monotonic() + segundos
    while True:
        valor = condicion()
        if valor or time.monotonic() >= limite:
            return valor
        time.sleep(intervalo)


def database_url(settings_dict: dict[str, Any]) -> str:
    """A ``postgres://`` URL for the database described by a Django ``settings_dict``."""
    usuario = quote(settings_dict.get("USER") or "", safe="")
    clave = quote(settings_dict.get("PASSWORD") or "", safe="")
    credenciales = f"{usuario}:{clave}@" if clave else (f"{usuario}@" if usuario else "")
    host = settings_dict.get("HOST") or ""
    puerto = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    nombre = quote(settings_dict["NAME"], safe="")
    return f"postgres://{credenciales}{host}{puerto}/{nombre}"


def olvidar_conexiones(celery_app: Celery) -> None:
    """Drop the app's cached broker connection pool and AMQP helpers (queues, router, producers).

    Celery caches them from the configuration the first time they are used, so a change of
    ``broker_url`` or ``task_default_queue`` is otherwise ignored by ``delay()``.
    """
    pool = vars(celery_app).pop("_pool", None)  # the class attribute (None) shows through
    if pool is not None:
        pool.force_close_all()
    amqp = celery_app.__dict__.pop("amqp", None)
    if amqp is not None and amqp._producer_pool is not None:
        amqp._producer_pool.force_close_all()
    # kombu keeps producer pools in a global registry keyed by connection: without a reset,
    # the next eager apply_async() of another test would get the pool closed above.
    kombu_pools.reset()


@contextmanager
def broker_de_celery(celery_app: Celery, url: str, cola: str) -> Iterator[None]:
    """Make ``celery_app`` publish to ``url`` / ``cola`` instead of running tasks eagerly.

    The previous values are restored on exit (also the environment variables that would
    otherwise take precedence over ``app.conf.broker_url``).
    """
    cambios = {"task_always_eager": False, "broker_url": url, "task_default_queue": cola}
    conf = celery_app.conf
    anulados = conf.changes  # the layer of app.conf that overrides the Django settings
    assert anulados is not None
    antes = {clave: anulados[clave] for clave in cambios if clave in anulados}
    with pytest.MonkeyPatch.context() as mp:
        for nombre in ENV_BROKER:
            mp.delenv(nombre, raising=False)
        for clave, valor in cambios.items():
            conf[clave] = valor
        olvidar_conexiones(celery_app)
        try:
            yield
        finally:
            for clave in cambios:
                if clave in antes:
                    conf[clave] = antes[clave]
                else:
                    anulados.pop(clave, None)
            olvidar_conexiones(celery_app)


def vaciar_cola(url: str, cola: str) -> int:
    """Purge and delete ``cola`` on the broker at ``url``; return how many messages it held."""
    with Connection(url, connect_timeout=5) as conn:
        conn.ensure_connection(max_retries=1, timeout=5)
        cola_kombu = Queue(cola, Exchange(cola, "direct"), routing_key=cola, channel=conn.default_channel)
        cola_kombu.declare()  # the channel must know the binding for delete() to remove it
        borrados = cola_kombu.purge() or 0
        cola_kombu.delete()
    return int(borrados)


def detener(proceso: subprocess.Popen[bytes]) -> None:
    """SIGTERM (warm shutdown), up to 10 s, then SIGKILL."""
    if proceso.poll() is not None:
        return
    proceso.terminate()
    try:
        proceso.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proceso.kill()
        proceso.wait(timeout=10)


def responde(nodo: str) -> bool:
    """Whether worker ``nodo`` answers a ping over the broker currently configured."""
    return bool(app.control.ping(destination=[nodo], timeout=1.0))


@pytest.fixture(scope="module")
def worker(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    """One real worker for the module, on the test database, the test broker and its own queue."""
    # django_db_setup has created the test database and pointed the settings at it.
    url_db = database_url(connection.settings_dict)
    cola = f"sello-test-{os.getpid()}"
    nodo = f"{cola}@{socket.gethostname()}"
    log = tmp_path_factory.mktemp("celery") / "worker.log"
    env = {
        **{k: v for k, v in os.environ.items() if k not in ENV_BROKER},
        # sello.settings.test forces eager tasks, so the worker uses the dev settings.
        "DJANGO_SETTINGS_MODULE": "sello.settings.dev",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": url_db,
        "DATABASE_POOL": "false",
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_TASK_DEFAULT_QUEUE": cola,
        "PYTHONUNBUFFERED": "1",
    }
    comando = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "sello",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "-Q",
        cola,
        "-n",
        f"{cola}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-l",
        "info",
    ]
    try:
        vaciar_cola(BROKER_URL, cola)  # a previous run with the same pid may have left messages
    except BrokerError as exc:
        pytest.fail(f"the test broker {BROKER_URL} (SELLO_TEST_BROKER_URL) does not answer: {exc}")
    with log.open("wb") as salida:
        proceso = subprocess.Popen(comando, cwd=PROJECT_DIR, env=env, stdout=salida, stderr=subprocess.STDOUT)
    trabajador = Worker(proceso=proceso, nodo=nodo, cola=cola, log=log)
    try:
        with broker_de_celery(app, BROKER_URL, cola):
            listo = esperar(lambda: proceso.poll() is not None or responde(nodo), ARRANQUE_SEGUNDOS, intervalo=0.2)
            codigo = proceso.poll()
            if codigo is not None:
                pytest.fail(f"the Celery worker {nodo} exited with code {codigo}:\n{trabajador.salida()}")
            if not listo:
                pytest.fail(
                    f"the Celery worker {nodo} did not answer a ping within {ARRANQUE_SEGUNDOS:.0f} s:\n"
                    f"{trabajador.salida()}"
                )
            yield trabajador
    finally:
        detener(proceso)
        vaciar_cola(BROKER_URL, cola)


def fila_de(nombre: str, tareas: int) -> LatidoWorker | None:
    """The heartbeat row of worker ``nombre`` once it has counted ``tareas`` tasks."""
    return LatidoWorker.objects.filter(worker=nombre, tareas=tareas).first()


def test_the_worker_runs_a_task_against_the_test_database(worker: Worker) -> None:
    """``latido`` goes through Redis to the worker, which upserts its row in the test database."""
    antes = timezone.now()

    resultado = latido.delay("w1")

    assert not isinstance(resultado, EagerResult)  # it went through the broker
    primera = esperar(lambda: fila_de("w1", 1), TAREA_SEGUNDOS)
    assert primera is not None, f"the task never reached the test database:\n{worker.salida()}"
    assert primera.worker == "w1"
    assert primera.tareas == 1
    assert antes - timedelta(seconds=1) <= primera.ultimo <= timezone.now()
    recibida = f"Task sello.latido[{resultado.id}] received"
    assert esperar(lambda: recibida in worker.salida(), 5.0), worker.salida()

    latido.delay("w1")  # delivered again: the upsert counts it on the same row

    segunda = esperar(lambda: fila_de("w1", 2), TAREA_SEGUNDOS)
    assert segunda is not None, f"the second delivery was not counted:\n{worker.salida()}"
    assert segunda.pk == primera.pk
    assert segunda.tareas == 2
    assert segunda.ultimo >= primera.ultimo
    assert list(LatidoWorker.objects.values_list("worker", "tareas")) == [("w1", 2)]


def test_healthz_reports_the_worker(worker: Worker) -> None:
    """With a real broker, /healthz pings it and counts the worker that answers."""
    respuesta = Client().get("/healthz")

    assert respuesta.status_code == 200
    cuerpo = respuesta.json()
    assert cuerpo["status"] == "ok", cuerpo
    assert cuerpo["database"] == {"ok": True, "vendor": "postgresql"}
    assert cuerpo["broker"] == {"ok": True, "mode": "broker"}
    assert cuerpo["workers"]["ok"] is True
    assert cuerpo["workers"]["count"] >= 1


def test_healthz_reports_a_broker_that_is_down(worker: Worker) -> None:
    """A broker that refuses connections degrades /healthz quickly; the database keeps it 200."""
    inicio = time.monotonic()
    with broker_de_celery(app, BROKER_CERRADO, worker.cola):
        respuesta = Client().get("/healthz")
    duracion = time.monotonic() - inicio

    assert respuesta.status_code == 200  # the database answers: degraded, not down
    cuerpo = respuesta.json()
    assert cuerpo["status"] == "degraded"
    assert cuerpo["database"]["ok"] is True
    assert cuerpo["broker"]["ok"] is False
    assert cuerpo["broker"]["mode"] == "broker"
    assert cuerpo["broker"]["error"] == "OperationalError"
    assert cuerpo["workers"] == {"ok": False, "count": 0}
    assert duracion < 5.0
