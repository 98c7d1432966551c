"""Seal adhesions of municipalities in every state, each with the history that state implies:
transitions by the right roles, plan and actions, evidence (links, never files), evaluations,
the committee's decision and the certificate; revalidations open a second cycle as
``sello.services.evaluacion.revalidacion_abrir`` does. Scores are computed at the end by the
real service (``puntaje_registrar``). Every adhesion's contact is ``…@volumen.example.cl``:
that is how ``--reset`` finds them."""

import random
import uuid
from dataclasses import dataclass, field

from municipios.models import Municipalidad
from sello.models import (
    AccionPlan,
    Adhesion,
    CatalogoVersion,
    Certificado,
    DecisionComite,
    EstadoSello,
    Evaluacion,
    Evidencia,
    PlanTrabajo,
    ReglaPuntaje,
    TransicionSello,
)
from sello.services.evidencias import puntaje_registrar

from . import escala as escala_mod
from . import sello_plan, textos
from .capacitaciones import token
from .copia import NULO, Copiador, dia, momento, siguiente_id
from .usuarios import Personal

E = EstadoSello
DIA = 86_400
VIGENCIA = 730  # days a certification lasts
CON_IDS = (Adhesion, PlanTrabajo, AccionPlan, Evidencia)
# The linear path: (action, state reached, who, days after the previous step).
CAMINO = [
    ("adherir", E.ADHERIDA, "municipal", (10, 60)),
    ("iniciar_plan", E.PLAN_EN_ELABORACION, "municipal", (5, 30)),
    ("aprobar_plan", E.PLAN_APROBADO, "regional", (20, 60)),
    ("iniciar_implementacion", E.EN_IMPLEMENTACION, "municipal", (1, 10)),
    ("solicitar_evaluacion", E.EVALUACION_SOLICITADA, "municipal", (120, 300)),
    ("iniciar_evaluacion", E.EN_EVALUACION, "nacional", (5, 30)),
    ("otorgar", E.CERTIFICADA, "nacional", (20, 60)),
]
LINEAL: list[str] = [E.INTERESADA, *(paso[1] for paso in CAMINO)]
ESTADOS = escala_mod.Urna(
    {
        E.INTERESADA: 10,
        E.ADHERIDA: 12,
        E.PLAN_EN_ELABORACION: 14,
        E.PLAN_APROBADO: 8,
        E.EN_IMPLEMENTACION: 25,
        E.EVALUACION_SOLICITADA: 6,
        E.EN_EVALUACION: 5,
        E.CERTIFICADA: 18,
        E.REVALIDACION_PENDIENTE: 5,
        E.REVALIDADA: 4,
        E.VENCIDA: 4,
        E.RETIRADA: 3,
    }
)
CERTIFICADOS = (E.CERTIFICADA, E.REVALIDACION_PENDIENTE, E.REVALIDADA, E.VENCIDA)


@dataclass
class Filas:
    adhesiones: list[str] = field(default_factory=list)
    transiciones: list[str] = field(default_factory=list)
    evaluaciones: list[str] = field(default_factory=list)
    decisiones: list[str] = field(default_factory=list)
    certificados: list[str] = field(default_factory=list)
    plan: sello_plan.Filas = field(default_factory=sello_plan.Filas)


@dataclass
class Contexto:
    rng: random.Random
    ahora: int
    personal: Personal
    catalogo: int
    regla: int
    acciones: list[tuple[int, int, str, bool, int]]  # catalogue: (id, línea, nombre, obligatoria, orden)
    adhesion_id: int
    ids: sello_plan.Ids
    filas: Filas = field(default_factory=Filas)


@dataclass
class Municipio:
    id: int
    cut: str
    nombre: str
    region: str
    region_nombre: str


def _eventos(rng: random.Random, estado: str) -> tuple[list[tuple[str, str, str, int]], int]:
    """The steps that lead to ``estado`` as (action, state, who, day) from day 0 (interesada),
    and how many days ago the last one was."""
    base: str
    if estado in (E.REVALIDACION_PENDIENTE, E.REVALIDADA, E.VENCIDA):
        base = E.CERTIFICADA
    elif estado == E.RETIRADA:
        base = rng.choice(LINEAL[:5])
    else:
        base = estado
    eventos: list[tuple[str, str, str, int]] = []
    dia_ = 0
    for accion, hasta, quien, (desde, hasta_dias) in CAMINO[: LINEAL.index(base)]:
        dia_ += rng.randint(desde, hasta_dias)
        eventos.append((accion, hasta, quien, dia_))
    otorgado = dia_
    if estado == E.REVALIDACION_PENDIENTE:
        eventos.append(("abrir_revalidacion", E.REVALIDACION_PENDIENTE, "", otorgado + VIGENCIA - 90))
        return eventos, rng.randint(1, 80)
    if estado == E.REVALIDADA:
        eventos.append(("abrir_revalidacion", E.REVALIDACION_PENDIENTE, "", otorgado + VIGENCIA - 90))
        eventos.append(("revalidar", E.REVALIDADA, "", otorgado + VIGENCIA - 90 + rng.randint(40, 85)))
        return eventos, rng.randint(60, 500)
    if estado == E.VENCIDA:
        eventos.append(("vencer", E.VENCIDA, "", otorgado + VIGENCIA))
        return eventos, rng.randint(10, 300)
    if estado == E.RETIRADA:
        eventos.append(("retirar", E.RETIRADA, "nacional", dia_ + rng.randint(10, 200)))
        return eventos, rng.randint(1, 300)
    return eventos, rng.randint(30, 600) if estado == E.CERTIFICADA else rng.randint(1, 60)


def _ciclo(ctx: Contexto, m: Municipio, estado: str, ciclo: int = 1, anterior: tuple[int, int] | None = None) -> int:
    """Write one cycle and return its id. ``anterior``: (previous cycle's id, day 0 of this one)."""
    rng, f, personal = ctx.rng, ctx.filas, ctx.personal
    adhesion_id = ctx.adhesion_id
    ctx.adhesion_id += 1
    actores = {
        "municipal": personal.municipal[m.cut],
        "regional": rng.choice(personal.regionales[m.region]),
        "nacional": rng.choice(personal.nacionales),
        "": None,
    }
    if anterior is None:
        eventos, atras = _eventos(rng, estado)
        inicio = ctx.ahora - (eventos[-1][3] if eventos else 0) * DIA - atras * DIA - 15 * 3600
    else:  # a revalidation starts in implementation with the plan carried over
        inicio = anterior[1]
        eventos = [("solicitar_evaluacion", E.EVALUACION_SOLICITADA, "municipal", rng.randint(30, 50))]
        eventos += [("iniciar_evaluacion", E.EN_EVALUACION, "nacional", eventos[0][3] + 5)]
        eventos += [("otorgar", E.CERTIFICADA, "nacional", eventos[1][3] + rng.randint(5, 20))]
    momentos = {accion: inicio + d * DIA for accion, _h, _q, d in eventos}
    desde: str = E.INTERESADA if anterior is None else E.EN_IMPLEMENTACION
    for accion, hasta, quien, _d in eventos:
        usuario = actores[quien]
        f.transiciones.append(
            f"{adhesion_id}\t{desde}\t{hasta}\t{accion}\t{usuario or NULO}\t\t{momento(momentos[accion])}"
        )
        desde = hasta
    adherida = momentos.get("adherir", inicio)
    otorgado = momentos.get("otorgar")
    certificada = otorgado is not None and estado in CERTIFICADOS
    otorgado_dia = dia(otorgado) if otorgado is not None and certificada else NULO
    vigente = otorgado + VIGENCIA * DIA if otorgado is not None and certificada else None
    datos = estado != E.INTERESADA
    encargada = f"{rng.choice(textos.NOMBRES_MUJER)} {rng.choice(textos.APELLIDOS)}" if datos else ""
    ultimo = max(momentos.values()) if momentos else inicio
    f.adhesiones.append(
        f"{adhesion_id}\t{uuid.UUID(int=rng.getrandbits(128), version=4)}\t{m.id}\t{ciclo}\t{estado}\t{ctx.catalogo}\t"
        f"{ctx.regla}\t{anterior[0] if anterior else NULO}\t{dia(adherida) if datos else NULO}\t"
        f"{f'{rng.randint(1, 400)}/{dia(adherida)[:4]}' if datos else ''}\t"
        f"{dia(adherida - 10 * DIA) if datos else NULO}\t{encargada}\t"
        f"{'Encargada de la Oficina de Migrantes' if datos else ''}\tencargado.{m.cut}@volumen.example.cl\t"
        f"{otorgado_dia}\t{dia(vigente) if vigente else NULO}\t\t1\t{momento(inicio)}\t"
        f"{momento(ultimo)}"
    )
    if "iniciar_plan" in momentos or anterior is not None:
        previo, desde_dia = anterior if anterior is not None else (None, None)
        sello_plan.plan(ctx, adhesion_id, m, estado, momentos, actores, anterior=previo, desde=desde_dia)
    if "iniciar_evaluacion" in momentos:
        _evaluacion(ctx, adhesion_id, momentos, actores, enviada=estado != E.EN_EVALUACION or rng.random() < 0.5)
    if otorgado and estado != E.RETIRADA:
        resolucion = f"REX {rng.randint(100, 9999)}/{dia(otorgado)[:4]}"
        f.decisiones.append(
            f"{adhesion_id}\t1\totorgar\t{resolucion}\t{dia(otorgado)}\tCumple los mínimos de las cinco líneas.\t"
            f"{momento(otorgado)}\t{actores['nacional']}"
        )
        f.certificados.append(
            f"{adhesion_id}\t{token(rng)}\t{m.nombre}\t{m.region_nombre}\t{resolucion}\t{dia(otorgado)}\t"
            f"{dia(vigente or otorgado + VIGENCIA * DIA)}\t"
        )
    if estado in (E.REVALIDACION_PENDIENTE, E.REVALIDADA):
        siguiente = E.CERTIFICADA if estado == E.REVALIDADA else E.EN_IMPLEMENTACION
        _ciclo_siguiente(ctx, m, siguiente, adhesion_id, momentos["abrir_revalidacion"])
    return adhesion_id


def _ciclo_siguiente(ctx: Contexto, m: Municipio, estado: str, anterior: int, abierto: int) -> int:
    if estado == E.EN_IMPLEMENTACION:
        return _ciclo_abierto(ctx, m, anterior, abierto)
    return _ciclo(ctx, m, estado, ciclo=2, anterior=(anterior, abierto))


def _ciclo_abierto(ctx: Contexto, m: Municipio, anterior: int, abierto: int) -> int:
    """A revalidation cycle still in implementation (its evidence carried over)."""
    rng = ctx.rng
    adhesion_id = ctx.adhesion_id
    ctx.adhesion_id += 1
    actores: dict[str, int | None] = {
        "municipal": ctx.personal.municipal[m.cut],
        "regional": rng.choice(ctx.personal.regionales[m.region]),
    }
    ctx.filas.adhesiones.append(
        f"{adhesion_id}\t{uuid.UUID(int=rng.getrandbits(128), version=4)}\t{m.id}\t2\t{E.EN_IMPLEMENTACION}\t"
        f"{ctx.catalogo}\t{ctx.regla}\t{anterior}\t{dia(abierto)}\t\t{NULO}\t\t\tencargado.{m.cut}@volumen.example.cl\t"
        f"{NULO}\t{NULO}\t\t1\t{momento(abierto)}\t{momento(abierto)}"
    )
    sello_plan.plan(ctx, adhesion_id, m, E.EN_IMPLEMENTACION, {}, actores, anterior=anterior, desde=abierto)
    return adhesion_id


def _evaluacion(ctx: Contexto, adhesion_id: int, momentos: dict[str, int], actores: dict, enviada: bool) -> None:
    rng = ctx.rng
    asignada = momentos["iniciar_evaluacion"]
    for evaluador in rng.sample(ctx.personal.evaluadores, 2):
        puntajes = ", ".join(f'"{linea}": "{rng.randint(60, 100)}"' for linea in range(1, 6))
        comentarios = ", ".join(f'"{linea}": "Cumple."' for linea in range(1, 6))
        fin = momento(min(ctx.ahora - 60, asignada + rng.randint(3, 15) * DIA)) if enviada else NULO
        ctx.filas.evaluaciones.append(
            f"{uuid.UUID(int=rng.getrandbits(128), version=4)}\t{adhesion_id}\t1\t{evaluador}\t{actores['nacional']}\t"
            f"{momento(asignada)}\t{{{puntajes}}}\t{{{comentarios}}}\tEvaluación de la documentación.\t{fin}"
        )


def sembrar(*, copiador: Copiador, personal: Personal, escala: escala_mod.Escala, semilla: int, ahora: int) -> None:
    rng = random.Random(f"{semilla}:sello")  # noqa: S311 - reproducible data, not secrets
    catalogo = CatalogoVersion.objects.filter(publicada_en__isnull=False).latest("publicada_en")
    regla = ReglaPuntaje.objects.filter(publicada_en__isnull=False).latest("version")
    libres = [
        Municipio(pk, cut, nombre, region, region_nombre)
        for pk, cut, nombre, region, region_nombre in Municipalidad.objects.filter(adhesiones__isnull=True)
        .order_by("comuna_id")
        .values_list("pk", "comuna_id", "nombre", "comuna__region_id", "comuna__region__nombre")
    ]
    ctx = Contexto(
        rng=rng,
        ahora=ahora,
        personal=personal,
        catalogo=catalogo.pk,
        regla=regla.pk,
        acciones=list(
            catalogo.acciones.order_by("linea", "orden").values_list("pk", "linea", "nombre", "obligatoria", "orden")
        ),
        adhesion_id=siguiente_id(Adhesion),
        ids=sello_plan.Ids.desde_base(),
    )
    elegidas = rng.sample(libres, min(escala.adhesiones, len(libres)))
    todos = list(E)
    for i, municipio in enumerate(elegidas):
        _ciclo(ctx, municipio, todos[i] if i < len(todos) else ESTADOS.sacar(rng))
    f = ctx.filas
    copiador.copiar(Adhesion, COLUMNAS_ADHESION, f.adhesiones)
    copiador.copiar(
        TransicionSello,
        ["adhesion_id", "desde", "hasta", "accion", "usuario_id", "comentario", "fecha"],
        f.transiciones,
    )
    sello_plan.copiar(copiador, f.plan)
    copiador.copiar(Evaluacion, COLUMNAS_EVALUACION, f.evaluaciones)
    copiador.copiar(DecisionComite, COLUMNAS_DECISION, f.decisiones)
    copiador.copiar(Certificado, COLUMNAS_CERTIFICADO, f.certificados)
    actuales = Adhesion.objects.filter(
        municipalidad_id__in=[m.id for m in elegidas], ciclo_siguiente__isnull=True, plan__isnull=False
    ).select_related("municipalidad", "regla")
    for adhesion in actuales:
        puntaje_registrar(adhesion=adhesion)


COLUMNAS_ADHESION = [
    "id", "uuid", "municipalidad_id", "ciclo", "estado", "catalogo_id", "regla_id", "ciclo_anterior_id",
    "fecha_adhesion", "acuerdo_concejo_numero", "acuerdo_concejo_fecha", "encargado_nombre", "encargado_cargo",
    "encargado_email", "fecha_certificacion", "vigente_hasta", "observaciones", "version", "creada_en",
    "actualizada_en",
]  # fmt: skip
COLUMNAS_EVALUACION = [
    "uuid", "adhesion_id", "ronda", "evaluador_id", "asignada_por_id", "asignada_en", "puntajes", "comentarios",
    "comentario_general", "enviada_en",
]  # fmt: skip
COLUMNAS_DECISION = [
    "adhesion_id", "ronda", "decision", "resolucion_numero", "resolucion_fecha", "fundamento", "registrada_en",
    "registrada_por_id",
]  # fmt: skip
COLUMNAS_CERTIFICADO = [
    "adhesion_id", "codigo", "municipalidad_nombre", "region_nombre", "resolucion_numero", "emitido_en",
    "vigente_hasta", "motivo_revocacion",
]  # fmt: skip
