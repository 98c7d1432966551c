"""The data and the people the web benchmarks use.

The cases are ``seed_volume``'s (issue 7), reused when present. The people are created here,
once, with API tokens: a national officer, the regional officer of the Región Metropolitana and
of the región with the fewest cases, and the municipal officers of the comunas whose case
counts are closest to 10 and to 1,000 (``seed_volume`` spreads cases unevenly, like the
country's).
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count
from rest_framework.authtoken.models import Token

from casos.models import Caso
from municipios.models import Comuna, Municipalidad, Rol, Usuario
from municipios.scoping import scoped

RM = "13"
PREFIJO = "bench.web."


@dataclass(frozen=True)
class Persona:
    """A bench user, its API token and how many cases its scope holds."""

    usuario: Usuario
    token: str
    casos: int
    etiqueta: str


@dataclass(frozen=True)
class Personas:
    nacional: Persona
    regional: Persona  # Región Metropolitana
    regional_chica: Persona  # the región with the fewest cases
    municipal_10: Persona
    municipal_1000: Persona

    def todas(self) -> list[Persona]:
        return [self.municipal_10, self.municipal_1000, self.regional_chica, self.regional, self.nacional]


def preparar_web(*, casos: int | None = None) -> list[str]:
    """``seed_volume``'s data at ``casos`` cases (default ``BENCH_CASOS`` or a million, ±5 %):
    reused when present, seeded (or replaced, when another size is there) otherwise; then, once,
    what autovacuum does on a live system: the case table vacuumed (freshly copied rows are not
    yet visible to index-only scans: counts would read the whole heap) and every table analysed
    (without statistics on the comunas, the planner took a región for 2 comunas, not 52)."""
    from bench import volumen
    from bench.datos import casos_bench

    objetivo = casos if casos is not None else casos_bench()
    hechos = []
    resultado = volumen.asegurar(casos_n=objetivo, reemplazar=True)
    if resultado.sembrado:
        hechos.append(f"volume data (seed_volume --casos {objetivo:,}, {resultado.segundos:.0f} s)")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_vacuum IS NULL AND last_autovacuum IS NULL FROM pg_stat_user_tables WHERE relname = %s",
            [Caso._meta.db_table],
        )
        fila = cursor.fetchone()
        if fila is not None and fila[0]:
            cursor.execute(f"VACUUM {Caso._meta.db_table}")
            cursor.execute("ANALYZE")  # every table: the plans read the comunas' statistics too
            hechos.append("VACUUM of the case table, ANALYZE")
    return hechos


def _usuario(nombre: str, **campos: object) -> Persona:
    usuario, _creado = Usuario.objects.update_or_create(
        username=PREFIJO + nombre,
        defaults={"first_name": "Bench", "last_name": nombre, "is_active": True, **campos},
    )
    token, _creado = Token.objects.get_or_create(user=usuario)
    return Persona(usuario=usuario, token=token.key, casos=0, etiqueta="")


def _con(persona: Persona, casos: int, etiqueta: str) -> Persona:
    return Persona(usuario=persona.usuario, token=persona.token, casos=casos, etiqueta=etiqueta)


def personas() -> Personas:
    """The bench users (created once), each with the case count of its scope."""
    nacional = _usuario("nacional", rol=Rol.NACIONAL, is_staff=True)
    # Counted as the national officer sees them: the whole country.
    por_comuna: dict[str, int] = dict(
        scoped(nacional.usuario, Caso.objects.all()).values_list("comuna_id").annotate(n=Count("pk")).order_by()
    )
    region_de = dict(Comuna.objects.values_list("cut", "region_id"))
    por_region: dict[str, int] = {}
    for cut, n in por_comuna.items():
        por_region[region_de[cut]] = por_region.get(region_de[cut], 0) + n
    municipalidades = scoped(nacional.usuario, Municipalidad.objects.all())
    con_municipalidad = set(municipalidades.values_list("comuna_id", flat=True))

    def cercana(objetivo: int) -> str:
        return min(
            (cut for cut in por_comuna if cut in con_municipalidad),
            key=lambda cut: (abs(por_comuna[cut] - objetivo), cut),
        )

    chica = min(por_region, key=lambda r: (por_region[r], r))
    cut_10, cut_1000 = cercana(10), cercana(1000)
    elegidas = {m.comuna_id: m for m in municipalidades.filter(comuna_id__in=[cut_10, cut_1000])}
    total = sum(por_comuna.values())
    return Personas(
        nacional=_con(nacional, total, "nacional"),
        regional=_con(
            _usuario("regional", rol=Rol.REGIONAL, region_id=RM, is_staff=True),
            por_region.get(RM, 0),
            f"regional {RM}",
        ),
        regional_chica=_con(
            _usuario("regional.chica", rol=Rol.REGIONAL, region_id=chica, is_staff=True),
            por_region[chica],
            f"regional {chica}",
        ),
        municipal_10=_con(
            _usuario("municipal.10", rol=Rol.MUNICIPAL, municipalidad=elegidas[cut_10]),
            por_comuna[cut_10],
            f"municipal {cut_10}",
        ),
        municipal_1000=_con(
            _usuario("municipal.1000", rol=Rol.MUNICIPAL, municipalidad=elegidas[cut_1000]),
            por_comuna[cut_1000],
            f"municipal {cut_1000}",
        ),
    )
