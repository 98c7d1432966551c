"""Data protection (Ley 21.719): blocking and anonymisation of a person, and the log of every
exercise of a data-protection right (``casos.privacidad``)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _campos_persona(historico: bool) -> list[tuple[str, models.Field]]:
    usuario = (
        models.ForeignKey(
            blank=True,
            db_constraint=False,
            editable=False,
            null=True,
            on_delete=django.db.models.deletion.DO_NOTHING,
            related_name="+",
            to=settings.AUTH_USER_MODEL,
        )
        if historico
        else models.ForeignKey(
            blank=True,
            editable=False,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="+",
            to=settings.AUTH_USER_MODEL,
        )
    )
    return [
        ("bloqueada", models.BooleanField(default=False, editable=False, verbose_name="datos bloqueados")),
        ("bloqueo_motivo", models.TextField(blank=True, editable=False, verbose_name="motivo del bloqueo")),
        ("bloqueada_por", usuario),
        ("bloqueada_en", models.DateTimeField(blank=True, editable=False, null=True, verbose_name="bloqueada")),
        ("anonimizada_en", models.DateTimeField(blank=True, editable=False, null=True, verbose_name="anonimizada")),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("casos", "0003_indices_listas"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        *(
            migrations.AddField(model_name=modelo, name=nombre, field=campo)
            for modelo, historico in (("persona", False), ("historicalpersona", True))
            for nombre, campo in _campos_persona(historico)
        ),
        migrations.CreateModel(
            name="OperacionPrivacidad",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "accion",
                    models.CharField(
                        choices=[
                            ("exportar", "Exportación de sus datos"),
                            ("rectificar", "Rectificación"),
                            ("bloquear", "Bloqueo"),
                            ("desbloquear", "Desbloqueo"),
                            ("anonimizar", "Anonimización"),
                        ],
                        max_length=12,
                        verbose_name="acción",
                    ),
                ),
                ("detalle", models.CharField(blank=True, max_length=200, verbose_name="detalle")),
                ("fecha", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="fecha")),
                (
                    "persona",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="operaciones_privacidad",
                        to="casos.persona",
                    ),
                ),
                (
                    "usuario",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "operación de protección de datos",
                "verbose_name_plural": "operaciones de protección de datos",
                "ordering": ["-fecha", "-pk"],
            },
        ),
    ]
