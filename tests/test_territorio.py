"""The territory loaded by the data migration: 16 regiones, 56 provincias, 346 comunas by CUT."""

import pytest
from django.db import IntegrityError, transaction

from municipios.models import Comuna, Municipalidad, PoblacionComuna, Provincia, Region, Rol, Usuario

pytestmark = pytest.mark.django_db


def test_it_loads_the_official_territory() -> None:
    assert Region.objects.count() == 16
    assert Provincia.objects.count() == 56
    assert Comuna.objects.count() == 346
    assert Comuna.objects.filter(region_id="13").count() == 52
    assert Comuna.objects.filter(region_id="05").count() == 38


def test_cut_codes_are_zero_padded_strings() -> None:
    valparaiso = Comuna.objects.get(cut="05101")
    assert valparaiso.nombre == "Valparaíso"
    assert valparaiso.provincia_id == "051"
    assert valparaiso.region_id == "05"
    assert Comuna.objects.get(cut="13108").nombre == "Independencia"
    # Ñuble uses its post-2018 codes.
    assert Comuna.objects.get(cut="16101").region.nombre_corto == "Ñuble"


def test_every_comuna_has_one_municipalidad() -> None:
    assert Municipalidad.objects.count() == 346
    assert not Comuna.objects.filter(municipalidad__isnull=True).exists()
    assert Municipalidad.objects.get(comuna_id="13125").nombre == "Municipalidad de Quilicura"


def test_comuna_region_matches_its_provincia() -> None:
    for comuna in Comuna.objects.select_related("provincia"):
        assert comuna.region_id == comuna.provincia.region_id, comuna.cut


def test_population_from_censo_and_projections() -> None:
    censo = PoblacionComuna.objects.get(comuna_id="13108", fuente="censo_2017", anio=2017)
    assert censo.total == 100281
    assert censo.hombres + censo.mujeres == censo.total
    assert PoblacionComuna.objects.filter(fuente="censo_2017").count() == 346
    assert PoblacionComuna.objects.filter(comuna_id="13108", fuente="proyeccion_ine").count() == 6


def test_it_refuses_a_malformed_cut() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Comuna.objects.create(cut="5101", nombre="Mal", provincia_id="051", region_id="05")


def test_the_territory_must_match_the_role() -> None:
    municipalidad = Municipalidad.objects.get(comuna_id="13108")
    with pytest.raises(IntegrityError), transaction.atomic():
        Usuario.objects.create(username="x", rol=Rol.NACIONAL, region_id="13")
    with pytest.raises(IntegrityError), transaction.atomic():
        Usuario.objects.create(username="y", rol=Rol.REGIONAL, municipalidad=municipalidad)
    with pytest.raises(IntegrityError), transaction.atomic():
        Usuario.objects.create(username="z", rol=Rol.MUNICIPAL, region_id="13")
    assert not Usuario.objects.filter(username__in=["x", "y", "z"]).exists()
