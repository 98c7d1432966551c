"""A write with its audit trail ÷ the same write without (issue 7: ≤ 1.5x).

The write: ``casos.services.caso_editar``, the service behind the case form (lock the row,
check the officer's scope, the version and the state, validate, save), each call its own
committed transaction, on throwaway draft cases of a bench officer. (a) as the app runs it:
django-simple-history writes a ``HistoricalCaso`` row on every save. (b) the same call with
the history switched off (``SIMPLE_HISTORY_ENABLED = False``, which simple-history reads on
every save): everything else identical.

Order: warm-up writes on both sides, then pairs, back to back, alternating which side goes
first, each write on the next case of a small pool (round robin); the ratio is of the medians.
The history rows written are counted: (a) must have written exactly one per write, (b) none.
The cases, their history and their person are deleted at the end.
"""

import os
import statistics
import time
from collections.abc import Callable
from datetime import date

from django.db import transaction
from django.test.utils import override_settings

from casos.models import Canal, Caso, Persona, Prioridad, Sexo, TipoCaso, TipoDocumento, TramoEdad
from casos.services import caso_crear, caso_editar, persona_registrar
from municipios.models import Municipalidad, Rol, Usuario

from .base import Cifra, Opciones, Seccion

ESCRITURAS = 500
CALENTAMIENTO = 20
CASOS = 20
META = 1.5
USUARIO = "bench.auditoria"


def _funcionario() -> Usuario:
    municipalidad = Municipalidad.objects.order_by("comuna_id").first()
    if municipalidad is None:
        raise RuntimeError("no municipality: migrate first")
    usuario, _creado = Usuario.objects.update_or_create(
        username=USUARIO,
        defaults={"rol": Rol.MUNICIPAL, "municipalidad": municipalidad, "is_active": True, "first_name": "Bench"},
    )
    return usuario


def _casos(usuario: Usuario, n: int) -> tuple[Persona, list[Caso]]:
    persona = persona_registrar(
        usuario=usuario,
        nombres="Persona",
        apellidos="De Prueba",
        tipo_documento=TipoDocumento.PASAPORTE,
        numero_documento="BENCH0001",
        nacionalidad="PE",
        sexo=Sexo.MUJER,
        fecha_nacimiento=date(1990, 1, 1),
        tramo_edad=TramoEdad.ADULTO_30_44,
    )
    casos = [
        caso_crear(
            usuario=usuario,
            persona=persona,
            tipo=TipoCaso.CONSULTA,
            subtipo="",
            prioridad=Prioridad.MEDIA,
            canal=Canal.PRESENCIAL,
            descripcion="Caso de prueba del benchmark.",
            consentimiento=False,
            consentimiento_fecha=None,
        )
        for _ in range(n)
    ]
    return persona, casos


def _borrar(persona: Persona, casos: list[Caso]) -> None:
    ids = [c.pk for c in casos]
    with override_settings(SIMPLE_HISTORY_ENABLED=False), transaction.atomic():
        Caso.objects.filter(pk__in=ids).delete()
        Caso.history.filter(id__in=ids).delete()
        Persona.history.filter(id=persona.pk).delete()
        persona.delete()


class Lado:
    """One side: its writes' wall-clock seconds, run on the pool's cases in turn."""

    def __init__(self, nombre: str, usuario: Usuario, casos: list[Caso], historia: bool) -> None:
        self.nombre, self.usuario, self.casos, self.historia = nombre, usuario, casos, historia
        self.tiempos: list[float] = []
        self.cpu: list[float] = []
        self.escritas = 0

    def escribir(self, medir: bool = True) -> None:
        i = self.escritas % len(self.casos)
        caso = self.casos[i]
        with override_settings(SIMPLE_HISTORY_ENABLED=self.historia):
            reloj, cpu = time.perf_counter(), time.process_time()
            self.casos[i] = caso_editar(
                caso=caso, usuario=self.usuario, version=caso.version, descripcion=f"Edición {self.escritas}."
            )
            cpu, reloj = time.process_time() - cpu, time.perf_counter() - reloj
        self.escritas += 1
        if medir:
            self.tiempos.append(reloj)
            self.cpu.append(cpu)

    def ids(self) -> list[int]:
        return [c.pk for c in self.casos]

    def texto(self) -> str:
        valores = sorted(self.tiempos)
        p90 = valores[round(0.9 * (len(valores) - 1))]
        return f"median {1000 * statistics.median(valores):.2f} ms · p90 {1000 * p90:.2f} ms (n={len(valores)})"


def _historia(lado: Lado) -> int:
    return Caso.history.filter(id__in=lado.ids()).count()


def medir(opciones: Opciones, *, escrituras: int = ESCRITURAS) -> Seccion:
    """Measure (a) and (b); see the module docstring for the method."""
    carga_inicial = os.getloadavg()[0]
    usuario = _funcionario()
    persona, casos = _casos(usuario, CASOS)
    try:
        # Each side edits its own half of the pool: a case's version is its own side's.
        con = Lado("with history", usuario, casos[: CASOS // 2], historia=True)
        sin = Lado("without history", usuario, casos[CASOS // 2 :], historia=False)
        antes = {lado.nombre: _historia(lado) for lado in (con, sin)}
        for _ in range(CALENTAMIENTO):
            con.escribir(medir=False)
            sin.escribir(medir=False)
        for ronda in range(escrituras):
            pasos: list[Callable[[], None]] = [con.escribir, sin.escribir]
            for paso in pasos if ronda % 2 == 0 else reversed(pasos):
                paso()
        escritas = {lado.nombre: _historia(lado) - antes[lado.nombre] for lado in (con, sin)}
    finally:
        _borrar(persona, casos)
    if escritas != {con.nombre: con.escritas, sin.nombre: 0}:
        raise RuntimeError(f"history rows written: {escritas}, expected {con.escritas} with and 0 without")

    a, b = statistics.median(con.tiempos), statistics.median(sin.tiempos)
    cifras = [Cifra("case edit through the service, with its audit trail ÷ without", a / b, META)]
    absolutos = [
        ("Writes per side (after warm-up)", f"{escrituras} (+{CALENTAMIENTO} warm-up)"),
        ("(a) with history", con.texto()),
        ("(b) without history", sin.texto()),
        ("What the audit trail adds per write (medians)", f"{1000 * (a - b):.2f} ms"),
        ("(a) ÷ (b) in process CPU time (medians)", f"{statistics.median(con.cpu) / statistics.median(sin.cpu):.2f}x"),
        ("History rows written by (a) / (b)", f"{con.escritas} / 0"),
        ("Load average (1 min) at start / end", f"{carga_inicial:.1f} / {os.getloadavg()[0]:.1f}"),
    ]
    metodo = [" ".join(parrafo.split()) for parrafo in (__doc__ or "").split("\n\n")[1:]]
    return Seccion(titulo="Audit trail", cifras=cifras, absolutos=absolutos, metodo=metodo)
