"""``seed_volume`` at a tiny size (300 cases): counts in proportion, integrity, every category,
the summaries refreshed, sequences moved on, a second run skipped, ``--reset``, refusals.

COPY runs on Django's connection inside the test's transaction, so these tests roll back like
any other; deferred foreign keys are checked explicitly with ``check_constraints()``."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Sum
from stdnum.cl import rut

from bench.volumen import comuna_con_casos, principal
from capacitaciones.models import Capacitacion, DispositivoTerritorial, Inscripcion
from casos import services
from casos.models import (
    TIPOS_SENSIBLES,
    AccesoSensible,
    Caso,
    EstadoCaso,
    Mensaje,
    Persona,
    Prioridad,
    TipoCaso,
    TransicionCaso,
)
from estadisticas.models import Indicador, Minuta, ResumenMensual, ResumenSello
from municipios.models import Comuna, Rol, Usuario
from sello.models import Adhesion, EstadoSello, Evidencia

from .casos_fixtures import caso as caso_de_prueba

pytestmark = pytest.mark.django_db

N = 300


def sembrar(casos: int = N, **opciones: object) -> str:
    salida = io.StringIO()
    call_command("seed_volume", casos=casos, forzar=True, stdout=salida, **opciones)
    return salida.getvalue()


def volumen_casos() -> "list[Caso]":
    return list(Caso.objects.filter(creado_por__username__startswith="vol.").select_related("persona"))


def test_it_seeds_every_area_in_proportion() -> None:
    # When
    salida = sembrar()

    # Then: the staff, without a usable password
    staff = Usuario.objects.filter(username__startswith="vol.")
    assert staff.filter(rol=Rol.MUNICIPAL).count() == Comuna.objects.count() == 346
    assert staff.filter(rol=Rol.REGIONAL).count() == 16 * 3
    assert staff.filter(rol=Rol.NACIONAL).count() == 3
    assert staff.filter(rol=Rol.EVALUADOR).count() == 3
    assert not any(u.has_usable_password() for u in staff)
    assert Usuario.objects.filter(username="vol.muni.13101", municipalidad__comuna_id="13101").exists()
    # the cases and what comes with them, in the documented ratios
    casos = volumen_casos()
    assert len(casos) == N
    personas = Persona.objects.filter(creada_por__username__startswith="vol.").count()
    assert 0.6 * N <= personas <= 0.85 * N
    assert 2.5 * N <= TransicionCaso.objects.count() <= 4.5 * N
    assert 1.0 * N <= Mensaje.objects.count() <= 2.0 * N
    assert Mensaje.objects.filter(interno=True).exists()
    assert AccesoSensible.objects.filter(caso__sensible=False).count() == 0
    assert Caso.history.count() == N
    assert set(Caso.history.values_list("history_type", flat=True)) == {"+"}
    assert Persona.history.count() == personas
    assert Caso.history.filter(estado=EstadoCaso.BORRADOR).count() == N  # "+" is the case as created
    assert Capacitacion.objects.count() == 10
    assert DispositivoTerritorial.objects.count() == 10
    assert Inscripcion.objects.count() >= 80
    assert Adhesion.objects.filter(ciclo=1).count() == 24
    assert Evidencia.objects.filter(archivo__isnull=True).count() == Evidencia.objects.count() > 0
    assert Minuta.objects.filter(estado=Minuta.Estado.ERROR).count() == 4 * 346
    assert "casos_caso" in salida
    assert "MiB" in salida

    # and every category is present: every type, state, priority and seal state
    assert {c.tipo for c in casos} == set(TipoCaso.values)
    assert {c.estado for c in casos} == set(EstadoCaso.values)
    assert {c.prioridad for c in casos} == set(Prioridad.values)
    assert set(Adhesion.objects.values_list("estado", flat=True)) == set(EstadoSello.values)


def test_the_data_is_consistent() -> None:
    # Given
    sembrar()
    casos = volumen_casos()

    # Then: every foreign key holds (deferred constraints checked now, not at a commit)
    connection.check_constraints()
    # folios unique, in the project's format, counters moved past them
    folios = [c.folio for c in casos]
    assert len(set(folios)) == N
    assert all(re.fullmatch(rf"{c.comuna_id}-{c.creado_en.year}-\d{{6}}", c.folio) for c in casos)
    # each case's persona lives in its comuna; fields agree with the state
    assert all(c.persona.comuna_id == c.comuna_id for c in casos)
    for c in casos:
        escalado = c.estado != EstadoCaso.BORRADOR
        assert (c.derivado_en is not None) == escalado == (c.plazo is not None)
        assert c.consentimiento or not escalado
        assert (c.resuelto_en is not None) == (c.estado in (EstadoCaso.RESUELTO, EstadoCaso.CERRADO))
        assert c.sensible == (c.tipo in TIPOS_SENSIBLES or c.persona.es_nna)
        assert (c.asignado_a_id is not None) == (c.estado not in (EstadoCaso.BORRADOR, EstadoCaso.DERIVADO))
        assert not c.vencido or escalado
        assert c.version == 1
        assert c.creado_en <= c.actualizado_en
    # the transitions lead to the state
    ultimas = {}
    for caso_id, hasta in TransicionCaso.objects.order_by("fecha", "pk").values_list("caso_id", "hasta"):
        ultimas[caso_id] = hasta
    assert all(ultimas.get(c.pk, EstadoCaso.BORRADOR) == c.estado for c in casos)
    # RUNs carry a valid check digit
    runs = Persona.objects.filter(tipo_documento="run").values_list("numero_documento", flat=True)
    assert runs
    assert all(rut.is_valid(r) for r in runs)
    # certified adhesions have a validity (the DB constraint) and a certificate
    for adhesion in Adhesion.objects.filter(estado__in=[EstadoSello.CERTIFICADA, EstadoSello.REVALIDACION_PENDIENTE]):
        assert adhesion.vigente_hasta is not None
        assert adhesion.certificado is not None


def test_new_rows_keep_working_after_the_seed() -> None:
    # Given
    sembrar()
    municipal = Usuario.objects.select_related("municipalidad").get(username="vol.muni.13101")
    maximo = Caso.objects.order_by("-pk").values_list("pk", flat=True)[0]

    # When: the ordinary services write after the COPY with explicit ids
    persona = services.persona_registrar(
        usuario=municipal,
        nombres="Ana",
        apellidos="Pruebas",
        tipo_documento="sin",
        numero_documento="",
        nacionalidad="VE",
        sexo="mujer",
        fecha_nacimiento=None,
        tramo_edad="",
    )
    caso = services.caso_crear(
        usuario=municipal,
        persona=persona,
        tipo=TipoCaso.CONSULTA,
        subtipo="",
        prioridad=Prioridad.BAJA,
        canal="presencial",
        descripcion="Consulta.",
        consentimiento=True,
        consentimiento_fecha=persona.creada_en.date(),
    )
    caso = services.caso_transicionar(caso=caso, accion="derivar", usuario=municipal, version=None)
    mensaje = services.mensaje_agregar(caso=caso, usuario=municipal, texto="Hola.")

    # Then
    assert caso.pk > maximo
    anio = caso.creado_en.year
    numeros = [
        int(f.rsplit("-", 1)[1])
        for f in Caso.objects.filter(folio__startswith=f"13101-{anio}-").values_list("folio", flat=True)
    ]
    assert int(caso.folio.rsplit("-", 1)[1]) == max(numeros)
    assert len(numeros) == len(set(numeros))
    assert mensaje.pk == Mensaje.objects.order_by("-pk").values_list("pk", flat=True)[0]


def test_it_refreshes_the_summaries() -> None:
    # When
    sembrar()

    # Then: the monthly figures are the cases, counted the ordinary way
    resumen = ResumenMensual.objects.filter(indicador=Indicador.CASOS_ESTADO).aggregate(n=Sum("valor"))["n"]
    assert resumen == Caso.objects.count()
    assert ResumenMensual.objects.filter(indicador=Indicador.CAPACITACIONES).exists()
    assert ResumenMensual.objects.filter(indicador=Indicador.OPERATIVOS).exists()
    con_sello = Adhesion.objects.values("municipalidad__comuna_id").distinct().count()
    assert ResumenSello.objects.count() == con_sello


def test_a_second_run_is_skipped_and_another_size_asks_for_reset() -> None:
    # Given
    sembrar()
    antes = (Caso.objects.count(), TransicionCaso.objects.count(), Usuario.objects.count())

    # When / Then
    assert "ya presentes" in sembrar()
    with pytest.raises(CommandError, match="--reset"):
        sembrar(N * 2)
    assert (Caso.objects.count(), TransicionCaso.objects.count(), Usuario.objects.count()) == antes


def test_reset_replaces_only_the_volume_data(monkeypatch: pytest.MonkeyPatch, municipal: Usuario) -> None:
    # Given: the volume data and a case of someone else
    sembrar()
    ajeno = caso_de_prueba(municipal, estado=EstadoCaso.DERIVADO)
    monkeypatch.setattr(principal, "nombre_base", lambda: "sello_vol_prueba")

    # When
    sembrar(200, reset=True)

    # Then
    assert len(volumen_casos()) == 200
    assert Caso.objects.filter(pk=ajeno.pk).exists()
    assert Caso.objects.count() == 201
    connection.check_constraints()


def test_reset_then_the_fast_path_rebuilds_the_indexes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A reset followed by the fast path (indexes dropped and rebuilt, triggers off): the
    deletes' pending foreign-key events must not stop ``CREATE INDEX`` (it did, at 1M)."""
    # Given: volume data, and the fast path from 100 cases on
    sembrar()
    monkeypatch.setattr(principal, "nombre_base", lambda: "sello_vol_prueba")
    monkeypatch.setattr(principal, "SIN_DISPARADORES", 100)

    # When
    salida = sembrar(250, reset=True)

    # Then
    assert "secondary indexes of the case tables rebuilt" in salida
    assert len(volumen_casos()) == 250
    connection.check_constraints()


def test_it_refuses_what_it_must_not_do(monkeypatch: pytest.MonkeyPatch) -> None:
    # DEBUG off (the test settings) on a database that is not a benchmark one
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_volume", casos=N, stdout=io.StringIO())
    # --reset on a database whose name says nothing of benchmarks or volume
    monkeypatch.setattr(principal, "nombre_base", lambda: "sello")
    with pytest.raises(CommandError, match="--reset"):
        sembrar(reset=True)
    # SQLite
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="PostgreSQL"):
        sembrar()
    monkeypatch.undo()
    # and nothing was written
    assert not Usuario.objects.filter(username__startswith="vol.").exists()
    assert not Caso.objects.exists()


def test_comunas_get_cases_in_proportion_to_their_weight() -> None:
    # When
    sembrar()

    # Then: the largest comunas get the most, many small ones none at this size
    por_comuna = dict(Caso.objects.values_list("comuna_id").annotate(n=Count("pk")))
    assert max(por_comuna.values()) >= 5
    assert por_comuna.get("13201", 0) > por_comuna.get("12202", 0)
    # and the benchmarks find a comuna of a given size
    grande = max(por_comuna, key=lambda cut: (por_comuna[cut], cut))
    assert comuna_con_casos(10_000) == min(c for c, n in por_comuna.items() if n == por_comuna[grande])
    assert por_comuna[comuna_con_casos(1)] == 1
