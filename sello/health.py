"""State of the database, the broker and the workers, for /healthz."""

from datetime import timedelta
from typing import Any

from django.db import DatabaseError, connection
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from .celery import app
from .models import LatidoWorker


def estado_base_de_datos() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "vendor": connection.vendor}


def estado_broker() -> dict[str, Any]:
    if app.conf.task_always_eager:
        return {"ok": True, "mode": "eager"}
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except (BrokerError, OSError) as exc:
        return {"ok": False, "mode": "broker", "error": type(exc).__name__}
    return {"ok": True, "mode": "broker"}


def estado_workers(broker_ok: bool) -> dict[str, Any]:
    if app.conf.task_always_eager:
        return {"ok": True, "mode": "eager", "count": 0}
    if not broker_ok:
        return {"ok": False, "count": 0}
    try:
        # limit=1: answer as soon as one worker replies instead of waiting the whole timeout.
        respuestas = app.control.ping(timeout=1.0, limit=1) or []
    except (BrokerError, OSError) as exc:  # the broker may vanish between the two checks
        return {"ok": False, "count": 0, "error": type(exc).__name__}
    latido = None
    try:
        ultimo = LatidoWorker.objects.order_by("-ultimo").values_list("ultimo", flat=True).first()
        if ultimo is not None:
            latido = int((timezone.now() - ultimo) / timedelta(seconds=1))
    except DatabaseError:  # informative only; the database state is reported separately
        latido = None
    return {"ok": bool(respuestas), "count": len(respuestas), "last_heartbeat_seconds": latido}


def estado() -> tuple[bool, dict[str, Any]]:
    db = estado_base_de_datos()
    broker = estado_broker()
    workers = estado_workers(broker["ok"])
    return db["ok"], {
        "status": "ok" if db["ok"] and broker["ok"] and workers["ok"] else "degraded",
        "database": db,
        "broker": broker,
        "workers": workers,
    }
