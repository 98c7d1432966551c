"""Load the official territory (16 regiones, 56 provincias, 346 comunas by CUT), population
figures and one Municipalidad per comuna, from the CSV copies in ``municipios/data/``."""

import csv
import uuid
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def _rows(name):
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def cargar(apps, schema_editor):
    Region = apps.get_model("municipios", "Region")
    Provincia = apps.get_model("municipios", "Provincia")
    Comuna = apps.get_model("municipios", "Comuna")
    PoblacionComuna = apps.get_model("municipios", "PoblacionComuna")
    Municipalidad = apps.get_model("municipios", "Municipalidad")

    Region.objects.bulk_create(
        Region(
            cut=r["region_cut"],
            nombre=r["region"],
            nombre_corto=r["region_corto"],
            numero_romano=r["region_roman"],
            abreviatura=r["abreviatura"],
            iso_3166_2=r["iso_3166_2"],
            orden_norte_sur=int(r["orden_norte_sur"]),
        )
        for r in _rows("regiones.csv")
    )
    Provincia.objects.bulk_create(
        Provincia(cut=r["provincia_cut"], nombre=r["provincia"], region_id=r["region_cut"])
        for r in _rows("provincias.csv")
    )
    comunas = list(_rows("comunas.csv"))
    Comuna.objects.bulk_create(
        Comuna(
            cut=r["cut"], nombre=r["comuna"], provincia_id=r["provincia_cut"], region_id=r["region_cut"]
        )
        for r in comunas
    )
    Municipalidad.objects.bulk_create(
        Municipalidad(uuid=uuid.uuid4(), comuna_id=r["cut"], nombre=f"Municipalidad de {r['comuna']}")
        for r in comunas
    )
    poblaciones = []
    for r in _rows("poblacion_comunas.csv"):
        poblaciones.append(
            PoblacionComuna(
                comuna_id=r["cut"],
                anio=2017,
                fuente="censo_2017",
                total=int(r["censo_2017"]),
                hombres=int(r["censo_2017_hombres"]),
                mujeres=int(r["censo_2017_mujeres"]),
            )
        )
        for columna, valor in r.items():
            if columna.startswith("proy_ine_") and valor:
                poblaciones.append(
                    PoblacionComuna(
                        comuna_id=r["cut"],
                        anio=int(columna.removeprefix("proy_ine_")),
                        fuente="proyeccion_ine",
                        total=int(valor),
                    )
                )
    PoblacionComuna.objects.bulk_create(poblaciones, batch_size=1000)


def descargar(apps, schema_editor):
    for model in ("PoblacionComuna", "Municipalidad", "Comuna", "Provincia", "Region"):
        apps.get_model("municipios", model).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("municipios", "0001_initial")]

    operations = [migrations.RunPython(cargar, descargar)]
