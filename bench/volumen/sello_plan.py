"""The work plan of a seal cycle, its actions (one per catalogue action) and their evidence:
links only (a file needs storage; the constraint wants one or the other), reviewed by the
region; a revalidation cycle carries the accepted evidence over (``heredada_de``)."""

import random
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sello.models import AccionPlan, EstadoEvidencia, EstadoPlan, EstadoSello, Evidencia, PlanTrabajo

from .copia import NULO, Copiador, dia, momento, siguiente_id
from .escala import Urna

if TYPE_CHECKING:
    from .sello import Contexto, Municipio

E = EstadoSello
DIA = 86_400
EN_IMPLEMENTACION = Urna(
    {
        "": 30,
        EstadoEvidencia.ENVIADA: 20,
        EstadoEvidencia.ACEPTADA: 35,
        EstadoEvidencia.OBSERVADA: 10,
        EstadoEvidencia.RECHAZADA: 5,
    }
)
PLAN_EN_ELABORACION = Urna({EstadoPlan.BORRADOR: 60, EstadoPlan.ENVIADO: 30, EstadoPlan.OBSERVADO: 10})
COMENTARIOS: dict[str, str] = {
    EstadoEvidencia.OBSERVADA: "Falta la firma del acta; vuelva a presentarla.",
    EstadoEvidencia.RECHAZADA: "El documento no corresponde a la acción.",
}
COLUMNAS_PLAN = [
    "id",
    "adhesion_id",
    "estado",
    "enviado_en",
    "revisado_en",
    "comentario_revision",
    "version",
    "revisado_por_id",
]
COLUMNAS_ACCION = [
    "id", "plan_id", "accion_catalogo_id", "linea", "nombre", "obligatoria", "unidad_responsable", "fecha_inicio",
    "fecha_termino", "indicador", "meta", "no_aplica", "justificacion_no_aplica", "orden",
]  # fmt: skip
COLUMNAS_EVIDENCIA = [
    "id", "uuid", "adhesion_id", "accion_id", "descripcion", "enlace", "estado", "enviada_por_id", "enviada_en",
    "revisada_por_id", "revisada_en", "comentario_revision", "heredada_de_id", "version",
]  # fmt: skip


@dataclass
class Aceptada:
    id: int
    enlace: str
    enviada_en: int
    revisada_en: int


@dataclass
class Ids:
    plan: int
    accion: int
    evidencia: int
    # Accepted evidence of each cycle by catalogue action, for the next cycle to inherit.
    aceptadas: dict[int, dict[int, Aceptada]] = field(default_factory=dict)

    @classmethod
    def desde_base(cls) -> "Ids":
        return cls(plan=siguiente_id(PlanTrabajo), accion=siguiente_id(AccionPlan), evidencia=siguiente_id(Evidencia))


@dataclass
class Filas:
    planes: list[str] = field(default_factory=list)
    acciones: list[str] = field(default_factory=list)
    evidencias: list[str] = field(default_factory=list)


def _plan(ctx: "Contexto", adhesion_id: int, estado: str, momentos: dict[str, int], regional: int, desde: int) -> None:
    rng = ctx.rng
    fila: tuple[str, str, str, str, int | str]
    if "aprobar_plan" in momentos:
        aprobado = momentos["aprobar_plan"]
        fila = (EstadoPlan.APROBADO, momento(aprobado - rng.randint(3, 15) * DIA), momento(aprobado), "", regional)
    elif "iniciar_plan" in momentos:
        plan_estado = PLAN_EN_ELABORACION.sacar(rng) if estado == E.PLAN_EN_ELABORACION else EstadoPlan.BORRADOR
        enviado = momentos["iniciar_plan"] + rng.randint(1, 10) * DIA
        enviado_en = momento(min(ctx.ahora - 60, enviado)) if plan_estado != EstadoPlan.BORRADOR else NULO
        revisado = plan_estado == EstadoPlan.OBSERVADO
        comentario = "Precise las metas de la línea 3." if revisado else ""
        revisado_en = momento(min(ctx.ahora - 60, enviado + 5 * DIA)) if revisado else NULO
        fila = (plan_estado, enviado_en, revisado_en, comentario, regional if revisado else NULO)
    else:  # carried over to a revalidation cycle, approved
        fila = (EstadoPlan.APROBADO, NULO, momento(desde), "", NULO)
    plan_estado, enviado_en, revisado_en, comentario, revisor = fila
    ctx.filas.plan.planes.append(
        f"{ctx.ids.plan}\t{adhesion_id}\t{plan_estado}\t{enviado_en}\t{revisado_en}\t{comentario}\t1\t{revisor}"
    )


def plan(
    ctx: "Contexto",
    adhesion_id: int,
    m: "Municipio",
    estado: str,
    momentos: dict[str, int],
    actores: dict[str, int | None],
    *,
    anterior: int | None = None,
    desde: int | None = None,
) -> None:
    """The plan, its actions and (from implementation on) their evidence."""
    rng, ids, filas = ctx.rng, ctx.ids, ctx.filas.plan
    inicio = momentos.get("iniciar_plan", desde or ctx.ahora)
    regional = actores["regional"] or 0
    _plan(ctx, adhesion_id, estado, momentos, regional, inicio)
    plan_id = ids.plan
    ids.plan += 1
    implementa = momentos.get("iniciar_implementacion", desde if anterior is not None else None)
    fin = momentos.get("solicitar_evaluacion", ctx.ahora - DIA)
    heredables = ids.aceptadas.get(anterior, {}) if anterior is not None else {}
    aceptadas: dict[int, Aceptada] = {}
    for catalogo_id, linea, nombre, obligatoria, orden in ctx.acciones:
        accion_id = ids.accion
        ids.accion += 1
        no_aplica = not obligatoria and rng.random() < 0.08
        filas.acciones.append(
            f"{accion_id}\t{plan_id}\t{catalogo_id}\t{linea}\t{nombre}\t{'t' if obligatoria else 'f'}\tDIDECO\t"
            f"{dia(inicio)}\t{dia(inicio + 300 * DIA)}\tDocumento aprobado\t1\t{'t' if no_aplica else 'f'}\t"
            f"{'La comuna no tiene esa unidad.' if no_aplica else ''}\t{orden}"
        )
        if implementa is None or no_aplica:
            continue
        if catalogo_id in heredables:
            vieja = heredables[catalogo_id]
            aceptadas[catalogo_id] = _evidencia(
                ctx, adhesion_id, accion_id, m, actores, EstadoEvidencia.ACEPTADA, vieja.enviada_en, vieja
            )
            continue
        evidencia = EN_IMPLEMENTACION.sacar(rng) if estado == E.EN_IMPLEMENTACION else EstadoEvidencia.ACEPTADA
        if evidencia:
            enviada = rng.randint(implementa, max(implementa, fin))
            nueva = _evidencia(ctx, adhesion_id, accion_id, m, actores, evidencia, enviada, None)
            if evidencia == EstadoEvidencia.ACEPTADA:
                aceptadas[catalogo_id] = nueva
    ids.aceptadas[adhesion_id] = aceptadas


def _evidencia(
    ctx: "Contexto",
    adhesion_id: int,
    accion_id: int,
    m: "Municipio",
    actores: dict[str, int | None],
    estado: str,
    enviada: int,
    heredada: Aceptada | None,
) -> Aceptada:
    rng: random.Random = ctx.rng
    evidencia_id = ctx.ids.evidencia
    ctx.ids.evidencia += 1
    enlace = heredada.enlace if heredada else f"https://transparencia.example.cl/{m.cut}/{accion_id}"
    revisada = heredada.revisada_en if heredada else min(ctx.ahora - 60, enviada + rng.randint(3, 20) * DIA)
    revisada_en = NULO if estado == EstadoEvidencia.ENVIADA else momento(revisada)
    revisor = NULO if estado == EstadoEvidencia.ENVIADA else actores["regional"]
    comentario = "Aceptada en el ciclo 1." if heredada else COMENTARIOS.get(estado, "")
    ctx.filas.plan.evidencias.append(
        f"{evidencia_id}\t{uuid.UUID(int=rng.getrandbits(128), version=4)}\t{adhesion_id}\t{accion_id}\t"
        f"Acta y registro de la acción\t{enlace}\t{estado}\t{actores['municipal']}\t{momento(enviada)}\t{revisor}\t"
        f"{revisada_en}\t{comentario}\t{heredada.id if heredada else NULO}\t1"
    )
    return Aceptada(id=evidencia_id, enlace=enlace, enviada_en=enviada, revisada_en=revisada)


def copiar(copiador: Copiador, filas: Filas) -> None:
    copiador.copiar(PlanTrabajo, COLUMNAS_PLAN, filas.planes)
    copiador.copiar(AccionPlan, COLUMNAS_ACCION, filas.acciones)
    copiador.copiar(Evidencia, COLUMNAS_EVIDENCIA, filas.evidencias)
