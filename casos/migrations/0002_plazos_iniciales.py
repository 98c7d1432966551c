"""Default response times: children, gender violence and trata cases are the shortest."""

from django.db import migrations

TIPOS = ["consulta", "regularizacion", "nna", "violencia", "trata", "refugio", "reunificacion", "vulneracion", "humanitaria", "sanciones"]
SENSIBLES = {"nna", "violencia", "trata"}
HORAS = {"urgente": 24, "alta": 72, "media": 120, "baja": 240}
HORAS_SENSIBLES = {"urgente": 12, "alta": 24, "media": 48, "baja": 72}


def sembrar(apps, schema_editor):
    PlazoRespuesta = apps.get_model("casos", "PlazoRespuesta")
    PlazoRespuesta.objects.bulk_create(
        PlazoRespuesta(tipo=tipo, prioridad=prioridad, horas=(HORAS_SENSIBLES if tipo in SENSIBLES else HORAS)[prioridad])
        for tipo in TIPOS
        for prioridad in HORAS
    )


def quitar(apps, schema_editor):
    apps.get_model("casos", "PlazoRespuesta").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("casos", "0001_initial")]

    operations = [migrations.RunPython(sembrar, quitar)]
