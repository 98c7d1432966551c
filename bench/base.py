"""What every benchmark takes and returns: the run's options, figures measured as ratios
against a target, and one section of the report."""

import resource
from dataclasses import dataclass, field
from typing import Any

from django.test import Client

from estadisticas.periodos import Periodo


@dataclass(frozen=True)
class Opciones:
    periodo: Periodo
    comunas: int | None = None  # None: all 346


@dataclass(frozen=True)
class Cifra:
    """One figure: ``medido`` (a ratio measured in the run) against ``meta``.
    ``sentido`` is ``"<="`` when lower is better, ``">="`` when higher is."""

    nombre: str
    medido: float
    meta: float
    sentido: str = "<="
    origen_meta: str = "issue 7"

    @property
    def cumple(self) -> bool:
        return self.medido <= self.meta if self.sentido == "<=" else self.medido >= self.meta

    @property
    def texto_medido(self) -> str:
        return f"{self.medido:.2f}x"

    @property
    def texto_meta(self) -> str:
        return f"{'≤' if self.sentido == '<=' else '≥'} {self.meta:.2f}x"

    @property
    def texto_cumple(self) -> str:
        return "met" if self.cumple else "NOT met"


@dataclass(frozen=True)
class Capacidad:
    """An absolute measurement the capacity note rests on (``clave`` names it for the note;
    ``unidad`` is ``req/s``, ``per hour`` or ``MiB``)."""

    clave: str
    nombre: str
    valor: float
    unidad: str


@dataclass
class Seccion:
    """The result of one benchmark: its ratios, the absolute figures behind them (for
    information), free notes on the method, and what the capacity note needs."""

    titulo: str
    cifras: list[Cifra]
    absolutos: list[tuple[str, str]] = field(default_factory=list)
    metodo: list[str] = field(default_factory=list)
    notas: list[str] = field(default_factory=list)
    capacidad: list[Capacidad] = field(default_factory=list)


def memoria_pico_mb() -> float:
    """Peak resident memory of this process so far (``ru_maxrss`` is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def segundo_factor(cliente: Client, usuario: Any) -> None:
    """Mark a bench login's session as past the second factor, as a code from the staff's app
    would (SERMIG staff must pass it on every page: ``municipios.dosfactores``)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from municipios.dosfactores import obligado

    if not obligado(usuario):
        return
    dispositivo = TOTPDevice.objects.filter(user=usuario, confirmed=True).first()
    if dispositivo is None:
        dispositivo = TOTPDevice.objects.create(user=usuario, name="bench", confirmed=True)
    sesion = cliente.session
    sesion[DEVICE_ID_SESSION_KEY] = dispositivo.persistent_id
    sesion.save()
