"""Demo trainings, operativos and good practices created by ``seed_demo`` (PRODUCT.md §8):
realistic, built with the services, and idempotent (a second run changes nothing)."""

import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from capacitaciones import demo
from capacitaciones.models import (
    Asistencia,
    BuenaPractica,
    Capacitacion,
    CertificadoCapacitacion,
    DispositivoTerritorial,
    EstadoPractica,
    Inscripcion,
    Invitacion,
    Organizador,
    Sesion,
)
from capacitaciones.selectors import acciones_cumplidas_por_plataforma, buenas_practicas_publicadas
from municipios.models import Municipalidad, Usuario

pytestmark = pytest.mark.django_db


def conteos() -> dict[str, int]:
    modelos: list[Any] = [
        Capacitacion,
        Invitacion,
        Sesion,
        Inscripcion,
        Asistencia,
        CertificadoCapacitacion,
        DispositivoTerritorial,
        BuenaPractica,
        Usuario,
    ]
    return {m.__name__: m.objects.count() for m in modelos}


def seed_demo() -> None:
    with open(os.devnull, "w") as salida:
        call_command("seed_demo", stdout=salida)


def test_seed_demo_twice_creates_everything_once(settings, tmp_path: Path) -> None:
    # (One test for the whole demo: seed_demo takes ~6 s.)
    settings.DEBUG = True
    settings.MEDIA_ROOT = str(tmp_path / "media")
    seed_demo()
    sembrado = conteos()
    assert sembrado["Capacitacion"] == 3
    assert sembrado["DispositivoTerritorial"] == 2
    assert sembrado["BuenaPractica"] == 3
    seed_demo()
    assert conteos() == sembrado
    la_capacitacion_de_melipilla()
    la_proxima_y_la_municipal()
    operativos_y_buenas_practicas()


def la_capacitacion_de_melipilla() -> None:
    """Held, with attendance and certificates."""
    cap = Capacitacion.objects.get(titulo=demo.MELIPILLA)
    assert cap.organizador == Organizador.SERMIG_REGIONAL
    assert cap.region_id == "13"
    assert cap.creada_por.username == "regional.rm"
    invitadas = sorted(cap.invitaciones.values_list("municipalidad__comuna_id", flat=True))
    assert invitadas == ["13501", "13502", "13503", "13504", "13505"]
    assert cap.sesiones.count() == 2
    # Participants from every invited municipality, attendance in both sessions.
    por_municipio = sorted(set(cap.inscripciones.values_list("municipalidad__comuna_id", flat=True)))
    assert por_municipio == invitadas
    assert Asistencia.objects.filter(sesion__capacitacion=cap).count() == 20
    # Only attendees get a certificate: the participant who missed a session does not.
    certificados = CertificadoCapacitacion.objects.filter(inscripcion__capacitacion=cap)
    assert certificados.count() == 9
    assert not certificados.filter(inscripcion__email=demo.INASISTENTE).exists()
    assert all(c.titulo == demo.MELIPILLA for c in certificados)


def la_proxima_y_la_municipal() -> None:
    proxima = Capacitacion.objects.get(titulo=demo.PROXIMA)
    assert sorted(proxima.invitaciones.values_list("municipalidad__comuna_id", flat=True)) == ["13108", "13125"]
    assert proxima.sesiones.get().inicio > proxima.creada_en
    assert not CertificadoCapacitacion.objects.filter(inscripcion__capacitacion=proxima).exists()
    assert proxima.inscripciones.count() == 2

    independencia = Municipalidad.objects.get(comuna_id="13108")
    municipal = Capacitacion.objects.get(titulo=demo.MUNICIPAL)
    assert municipal.municipalidad_organizadora == independencia
    # The platform proves line 2 (a municipal training with attendance) and line 4 (an
    # operativo «Migraciones en tu barrio») for Independencia.
    cumplidas = acciones_cumplidas_por_plataforma(municipalidad=independencia)
    assert {"2.2", "4.1"} <= cumplidas.keys()
    melipilla = Municipalidad.objects.get(comuna_id="13501")
    assert "2.3" in acciones_cumplidas_por_plataforma(municipalidad=melipilla)


def operativos_y_buenas_practicas() -> None:
    operativos = {d.comuna_id: d.tipo for d in DispositivoTerritorial.objects.all()}
    assert operativos == {"13108": "migraciones_en_tu_barrio", "05101": "apoya_mujer_migrante"}
    publicadas = sorted(p.nombre for p in buenas_practicas_publicadas())
    assert publicadas == [demo.CONSULTA, demo.MEDIADORES]
    consulta = BuenaPractica.objects.get(nombre=demo.CONSULTA)
    assert (consulta.comuna_id, consulta.anio_inicio) == ("13125", 2016)
    pendiente = BuenaPractica.objects.get(estado=EstadoPractica.ENVIADA)
    assert pendiente.comuna_id == "13108"


def test_it_is_fast(settings, tmp_path: Path) -> None:
    """The trainings' part of the demo (PDFs are not rendered here: on demand)."""
    settings.DEBUG = True
    settings.MEDIA_ROOT = str(tmp_path / "media")
    from municipios.demo import sembrar_territorio

    usuarios = {u.username: u for u in sembrar_territorio()}
    inicio = time.perf_counter()
    resumen = demo.sembrar_capacitaciones(usuarios)
    duracion = time.perf_counter() - inicio
    assert resumen.certificados == 12  # 9 of Melipilla's training + 3 of Independencia's
    assert duracion < 5, f"sembrar_capacitaciones took {duracion:.2f}s"
