"""Volume data for the benchmarks (issue 7): ``python manage.py seed_volume --casos N``.

One module per area (``casos``, ``capacitaciones``, ``sello``, ``minutas``), the ratios in
``escala``, COPY and timings in ``copia``, the whole in ``principal``.
"""

from .comunas import comuna_con_casos
from .principal import Resultado, VolumenError, asegurar, casos_presentes, sembrar, verificar_entorno

__all__ = [
    "Resultado",
    "VolumenError",
    "asegurar",
    "casos_presentes",
    "comuna_con_casos",
    "sembrar",
    "verificar_entorno",
]
