"""The few blocked people, indexed apart (issue 7): a territory's case count is all its cases
minus those of blocked people (``casos.selectors.contar_visibles``), and this partial index
finds the latter without reading every person."""

from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    dependencies = [("casos", "0004_privacidad")]

    operations = [
        migrations.AddIndex(
            model_name="persona",
            index=models.Index(fields=["id"], condition=Q(bloqueada=True), name="persona_bloqueada"),
        ),
    ]
