"""Indexes for the case lists at national scale (issue 7).

Every list (API, pages, exports) orders by ``-creado_en, -id`` (the API's cursor ordering):
the country's list and the región's (filtered through the comuna) read ``caso_reciente``
from the newest case on, a comuna's list reads ``caso_comuna_reciente``; page 1 and a page
100,000 rows deep both stop after 51 rows instead of sorting the table. The regional queue
(open cases: unassigned first, overdue next, earliest deadline first) reads ``caso_cola``, a
partial index on exactly its ordering, and counts its rows from it.
"""

from django.db import migrations, models
from django.db.models import Case, F, Q, Value, When

ABIERTOS = ["derivado", "en_gestion", "requiere_informacion", "reabierto"]


class Migration(migrations.Migration):
    dependencies = [("casos", "0002_plazos_iniciales")]

    operations = [
        migrations.AddIndex(
            model_name="caso",
            index=models.Index(fields=["-creado_en", "-id"], name="caso_reciente"),
        ),
        migrations.AddIndex(
            model_name="caso",
            index=models.Index(fields=["comuna", "-creado_en", "-id"], name="caso_comuna_reciente"),
        ),
        migrations.AddIndex(
            model_name="caso",
            index=models.Index(
                Case(When(asignado_a__isnull=True, then=Value(0)), default=Value(1)),
                F("vencido").desc(),
                F("plazo"),
                F("id"),
                condition=Q(estado__in=ABIERTOS),
                name="caso_cola",
            ),
        ),
    ]
