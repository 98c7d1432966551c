"""Reads of the platform's statistics, from the summary tables only, with suppression.

Case figures are computed once per period for the whole country (comunas, their regiones,
the country) and suppressed on that whole table (``estadisticas.supresion``), so every view —
a comuna's dashboard, a región's, the minuta, the API — shows the same hidden cells and no
combination of them recovers a small sensitive count. The computed table is memoised per
period and summary refresh: it holds only aggregates, and each caller still reads only the
places its user may see (``unidades_visibles``).
"""

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from statistics import median
from typing import Any, TypeVar

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_countries import countries

from casos.models import TIPOS_SENSIBLES, EstadoCaso, Prioridad, Sexo, TipoCaso
from municipios.models import Comuna, Region, Rol
from sello.models import EstadoSello

from .models import Actualizacion, Indicador, ResumenMensual, ResumenSello
from .periodos import Periodo
from .supresion import Celda, Relacion, suprimir, umbral

NACIONAL = "nacional"
REGION = "region"
COMUNA = "comuna"

DIMENSIONES_CASOS = (
    Indicador.CASOS_TIPO,
    Indicador.CASOS_ESTADO,
    Indicador.CASOS_PRIORIDAD,
    Indicador.CASOS_SEXO,
    Indicador.CASOS_NNA,
    Indicador.CASOS_NACIONALIDAD,
)
TOTAL = "total"
SENSIBLES = (*((Indicador.CASOS_TIPO.value, str(t)) for t in TIPOS_SENSIBLES), (Indicador.CASOS_NNA.value, "si"))
INDICADORES_PLATAFORMA = (
    Indicador.CAPACITACIONES,
    Indicador.PERSONAS_CAPACITADAS,
    Indicador.ASISTENCIAS,
    Indicador.OPERATIVOS,
    Indicador.ATENCIONES_OPERATIVOS,
)

Clave = tuple[str, str, str, str]  # (nivel, código, indicador, categoría)
T = TypeVar("T")


def etiqueta(indicador: str, categoria: str) -> str:
    """The Spanish label of a category of an indicator."""
    etiquetas: dict[str, Any] = {
        Indicador.CASOS_TIPO: TipoCaso,
        Indicador.CASOS_ESTADO: EstadoCaso,
        Indicador.CASOS_PRIORIDAD: Prioridad,
        Indicador.CASOS_SEXO: Sexo,
    }
    if indicador in etiquetas:
        try:
            return str(etiquetas[indicador](categoria).label)
        except ValueError:
            return categoria
    if indicador == Indicador.CASOS_NNA:
        return _("NNA") if categoria == "si" else _("Personas adultas")
    if indicador == Indicador.CASOS_NACIONALIDAD:
        return str(countries.name(categoria)) if categoria else _("No informada")
    if indicador == Indicador.CASOS_VENCIDOS:
        return _("Con plazo vencido")
    return categoria


@dataclass
class TablaCasos:
    """The suppressed case table of one period for the whole country."""

    periodo: Periodo
    celdas: dict[Clave, Celda]
    categorias: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)

    def total(self, nivel: str, codigo: str) -> Celda:
        return self.celdas.get((nivel, codigo, TOTAL, ""), Celda(0, "", umbral()))

    def celda(self, nivel: str, codigo: str, indicador: str, categoria: str) -> Celda:
        return self.celdas.get((nivel, codigo, indicador, categoria), Celda(0, "", umbral()))

    def dimension(self, nivel: str, codigo: str, indicador: str) -> list[tuple[str, str, Celda]]:
        """``(categoría, etiqueta, celda)`` of one dimension, largest published first, then the
        hidden ones (their order must not hint at their size)."""
        filas = [
            (c, etiqueta(indicador, c), self.celda(nivel, codigo, indicador, c))
            for c in self.categorias.get((nivel, codigo, indicador), [])
        ]
        return sorted(filas, key=lambda f: (f[2].suprimida != "", -(f[2].publico or 0), f[1]))

    def vencidos(self, nivel: str, codigo: str) -> Celda:
        return self.celda(nivel, codigo, Indicador.CASOS_VENCIDOS, "vencidos")


def _ultima_actualizacion_id() -> int:
    return (
        Actualizacion.objects.filter(terminada_en__isnull=False)
        .order_by("-terminada_en")
        .values_list("pk", flat=True)
        .first()
        or 0
    )


# Per process, per summary refresh: the case tables and what ``por_actualizacion`` keeps.
_MEMO: dict[tuple[Hashable, ...], Any] = {}
MEMO_MAXIMO = 64


def por_actualizacion(clave: tuple[Hashable, ...], calcular: Callable[[], T]) -> T:
    """``calcular()`` once per summary refresh in this process (and per suppression threshold
    and language), under ``clave``.

    Only for what is computed from the summary tables and reference data alone — the same for
    everyone allowed to see the place named in ``clave``, whose access the caller checks first —
    never for live data or anything that depends on the user."""
    completa = (*clave, _ultima_actualizacion_id(), umbral(), get_language())
    if completa not in _MEMO:
        if len(_MEMO) >= MEMO_MAXIMO:
            _MEMO.clear()
        _MEMO[completa] = calcular()
    valor: T = _MEMO[completa]
    return valor


def tabla_casos(periodo: Periodo) -> TablaCasos:
    """The suppressed case table of ``periodo`` (two queries; memoised per summary refresh)."""
    return por_actualizacion(("tabla_casos", periodo.codigo), lambda: _calcular_tabla(periodo))


def _filtro_periodo(periodo: Periodo) -> Q:
    return Q(anio=periodo.anio, mes__in=[m for _a, m in periodo.meses])


def _calcular_tabla(periodo: Periodo) -> TablaCasos:
    region_de = dict(Comuna.objects.values_list("cut", "region_id"))
    filas = (
        ResumenMensual.objects.filter(_filtro_periodo(periodo), indicador__startswith="casos_")
        .values_list("comuna_id", "indicador", "categoria")
        .annotate(n=Sum("valor"))
        .order_by()
    )
    valores: dict[Clave, int] = defaultdict(int)
    for cut, indicador, categoria, n in filas:
        for nivel, codigo in ((COMUNA, cut), (REGION, region_de[cut]), (NACIONAL, "")):
            valores[(nivel, codigo, indicador, categoria)] += n
            if indicador == Indicador.CASOS_TIPO:
                valores[(nivel, codigo, TOTAL, "")] += n
    unidades = {(nivel, codigo) for nivel, codigo, _i, _c in valores}
    sensibles: list[Clave] = []
    for nivel, codigo in unidades:
        if valores.get((nivel, codigo, TOTAL, ""), 0) > 0:
            sensibles.extend((nivel, codigo, indicador, categoria) for indicador, categoria in SENSIBLES)
    for clave in sensibles:
        valores.setdefault(clave, 0)
    categorias: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for nivel, codigo, indicador, categoria in sorted(valores):
        if indicador != TOTAL:
            categorias[(nivel, codigo, indicador)].append(categoria)
    relaciones: list[Relacion[Clave]] = []
    # Within a place: the categories of each dimension add up to the case total.
    for nivel, codigo in unidades:
        for indicador in DIMENSIONES_CASOS:
            partes = tuple((nivel, codigo, indicador, c) for c in categorias.get((nivel, codigo, indicador), []))
            relaciones.append(Relacion((nivel, codigo, TOTAL, ""), partes))
    # Across places: comunas add up to their región, regiones to the country.
    hijos: dict[Clave, list[Clave]] = defaultdict(list)
    for clave in valores:
        nivel, codigo, indicador, categoria = clave
        if nivel == COMUNA:
            hijos[(REGION, region_de[codigo], indicador, categoria)].append(clave)
        elif nivel == REGION:
            hijos[(NACIONAL, "", indicador, categoria)].append(clave)
    relaciones.extend(Relacion(total, tuple(partes)) for total, partes in hijos.items())
    celdas = suprimir(valores, sensibles=sensibles, relaciones=relaciones)
    return TablaCasos(periodo=periodo, celdas=celdas, categorias=dict(categorias))


def unidades_visibles(usuario: Any) -> tuple[str, set[str]] | None:
    """What statistics a user may read: ``(NACIONAL, set())`` for everything,
    ``(REGION, {cut})`` for a región and its comunas, ``(COMUNA, {cut})`` for one comuna;
    None for nothing (fails closed like the scoping helper)."""
    if usuario is None or not usuario.is_authenticated or not usuario.is_active:
        return None
    rol = getattr(usuario, "rol", "")
    if rol in (Rol.NACIONAL, Rol.EVALUADOR):
        return (NACIONAL, set())
    if rol == Rol.REGIONAL and usuario.region_id:
        return (REGION, {usuario.region_id})
    if rol == Rol.MUNICIPAL and usuario.municipalidad_id:
        return (COMUNA, {usuario.municipalidad.comuna_id})
    return None


def puede_ver_unidad(usuario: Any, nivel: str, codigo: str) -> bool:
    """Whether ``usuario`` may read the statistics of that place (comuna CUT, región CUT or "")."""
    alcance = unidades_visibles(usuario)
    if alcance is None:
        return False
    tipo, codigos = alcance
    if tipo == NACIONAL:
        return True
    if tipo == REGION:
        if nivel == REGION:
            return codigo in codigos
        return nivel == COMUNA and Comuna.objects.filter(cut=codigo, region_id__in=codigos).exists()
    return nivel == COMUNA and codigo in codigos


def comunas_qs(*, nivel: str, codigo: str) -> QuerySet[Comuna]:
    """The comunas that make up a place (for tables of comunas; reference data, not scoped)."""
    consulta = Comuna.objects.select_related("region").order_by("cut")
    if nivel == COMUNA:
        return consulta.filter(cut=codigo)
    if nivel == REGION:
        return consulta.filter(region_id=codigo)
    return consulta


def _filtro_lugar(nivel: str, codigo: str) -> Q:
    if nivel == COMUNA:
        return Q(comuna_id=codigo)
    if nivel == REGION:
        return Q(comuna__region_id=codigo)
    return Q()


def plataforma(periodo: Periodo, nivel: str, codigo: str) -> dict[str, dict[str, int]]:
    """Trainings, people trained, attendance and operativos of a place and period:
    ``{indicador: {categoría: n}}`` (not sensitive: no suppression). One query."""
    filas = (
        ResumenMensual.objects.filter(
            _filtro_periodo(periodo), _filtro_lugar(nivel, codigo), indicador__in=INDICADORES_PLATAFORMA
        )
        .values_list("indicador", "categoria")
        .annotate(n=Sum("valor"))
        .order_by()
    )
    datos: dict[str, dict[str, int]] = {str(i): {} for i in INDICADORES_PLATAFORMA}
    for indicador, categoria, n in filas:
        datos[indicador][categoria] = n
    return datos


def casos_por_mes(periodo: Periodo, nivel: str, codigo: str) -> list[tuple[int, int, int]]:
    """``(año, mes, casos)`` for each month of the period: totals only (no sensitive split, so
    months cannot be subtracted from the period's suppressed table). One query."""
    filas = dict(
        ResumenMensual.objects.filter(
            _filtro_periodo(periodo), _filtro_lugar(nivel, codigo), indicador=Indicador.CASOS_TIPO
        )
        .values_list("mes")
        .annotate(n=Sum("valor"))
        .order_by()
        .values_list("mes", "n")
    )
    return [(anio, mes, filas.get(mes, 0)) for anio, mes in periodo.meses]


def sellos(periodo: Periodo, comunas: Iterable[str] | None = None) -> dict[str, ResumenSello]:
    """Each comuna's seal snapshot as of the end of ``periodo`` (the latest monthly snapshot
    not after it): CUT → ``ResumenSello``. One query."""
    ultimo = periodo.meses[-1]
    consulta = ResumenSello.objects.filter(Q(anio__lt=ultimo[0]) | Q(anio=ultimo[0], mes__lte=ultimo[1]))
    if comunas is not None:
        consulta = consulta.filter(comuna_id__in=list(comunas))
    resultado: dict[str, ResumenSello] = {}
    for resumen in consulta.order_by("comuna_id", "-anio", "-mes"):
        resultado.setdefault(resumen.comuna_id, resumen)
    return resultado


def sellos_por_estado(resumenes: Iterable[ResumenSello], comunas: Iterable[str]) -> list[tuple[str, str, int]]:
    """``(estado, etiqueta, n)`` over ``comunas`` (a comuna without adhesion counts as "sin adhesión")."""
    por_cut = {r.comuna_id: r.estado for r in resumenes}
    conteo: dict[str, int] = defaultdict(int)
    for cut in comunas:
        conteo[por_cut.get(cut) or "sin_adhesion"] += 1
    orden = [*EstadoSello.values, "sin_adhesion"]
    return [(e, _etiqueta_sello(e), conteo[e]) for e in orden if conteo.get(e)]


def _etiqueta_sello(estado: str) -> str:
    if not estado or estado == "sin_adhesion":
        return _("Sin adhesión")
    try:
        return str(EstadoSello(estado).label)
    except ValueError:
        return estado


def etiqueta_sello(estado: str) -> str:
    return _etiqueta_sello(estado)


def mediana_regional(valores: Iterable[float | int | None]) -> float | None:
    """The median of the known values (None when there are none)."""
    conocidos = [v for v in valores if v is not None]
    return float(median(conocidos)) if conocidos else None


def regiones_qs() -> QuerySet[Region]:
    return Region.objects.order_by("orden_norte_sur")
