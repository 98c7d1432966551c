"""The same import delivered twice while the first run still works (a broker redelivery): the
second run waits for the first and then leaves the finished import alone. Two threads, two
database connections, real PostgreSQL row locks."""

import threading
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from estadisticas import services
from estadisticas.models import CifraOficial, EstimacionExtranjeros, Fuente, Importacion
from estadisticas.tasks import importar
from sello.celery import app

DATA = Path(__file__).resolve().parent.parent / "estadisticas" / "data"
REGIONES = DATA / "ine_sermig_estimacion_baseregiones_muestra.csv"


@pytest.mark.django_db(transaction=True)
def test_a_second_delivery_waits_for_the_first_and_writes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given: a pending import whose first run pauses after its first batch, inside its transaction
    with REGIONES.open("rb") as archivo:
        importacion = services.importacion_registrar(
            fuente=Fuente.INE_SERMIG_REGIONES, release="2023-12", archivo=archivo, nombre=REGIONES.name
        )
    en_medio, seguir = threading.Event(), threading.Event()
    copiar = services.copiar

    def copiar_y_esperar(*args: Any, **kwargs: Any) -> None:
        copiar(*args, **kwargs)
        if threading.current_thread().name == "primera" and not en_medio.is_set():
            en_medio.set()
            assert seguir.wait(30)

    monkeypatch.setattr(services, "copiar", copiar_y_esperar)
    resultados: dict[str, Importacion] = {}

    def correr(nombre: str) -> None:
        try:
            resultados[nombre] = services.importacion_ejecutar(Importacion.objects.get(pk=importacion.pk))
        finally:
            connection.close()

    primera = threading.Thread(target=correr, args=("primera",), name="primera")
    segunda = threading.Thread(target=correr, args=("segunda",), name="segunda")

    # When: the second delivery arrives while the first is in the middle of its rows
    primera.start()
    assert en_medio.wait(30)
    segunda.start()
    segunda.join(1)
    bloqueada = segunda.is_alive()  # it waits on the first run's row lock
    seguir.set()
    primera.join(30)
    segunda.join(30)

    # Then: one import's rows, once; both runs see it completed
    assert bloqueada
    assert resultados["primera"].estado == resultados["segunda"].estado == Importacion.Estado.COMPLETADA
    assert EstimacionExtranjeros.objects.filter(importacion=importacion).count() == 300
    assert CifraOficial.objects.filter(importacion=importacion).count() == resultados["primera"].totales["cifras"]


def test_redis_does_not_redeliver_a_task_that_may_still_be_running() -> None:
    """Redis hands an unacknowledged task to another worker after the visibility timeout: it
    must be longer than every task's hard time limit."""
    limites = [t.time_limit or 0 for nombre, t in app.tasks.items() if not nombre.startswith("celery.")]

    assert max(limites) == importar.time_limit
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > max(limites)
