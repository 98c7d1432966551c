"""Platform-wide Celery tasks."""

from celery import shared_task

from . import services


@shared_task(
    name="sello.latido",
    acks_late=True,  # idempotent: it only upserts the worker's row
    soft_time_limit=10,
    time_limit=20,
    ignore_result=True,
)
def latido(worker: str) -> None:
    """Record that ``worker`` is alive and consuming tasks (read by /healthz)."""
    services.latido_registrar(worker=worker)
