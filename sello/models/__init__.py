"""Models of the seal: catalogue and rule, adhesion cycle, plan, evidence, evaluation."""

from .adhesion import ESTADOS_CERRADOS, ESTADOS_CON_SELLO_VIGENTE, Adhesion, EstadoSello, TransicionSello
from .archivo import Archivo
from .catalogo import AccionCatalogo, CatalogoVersion, Linea, ReglaPuntaje
from .evaluacion import (
    Certificado,
    Decision,
    DecisionComite,
    Evaluacion,
    Notificacion,
    Puntaje,
    Recordatorio,
)
from .latido import LatidoWorker
from .plan import AccionPlan, EstadoEvidencia, EstadoPlan, Evidencia, PlanTrabajo

__all__ = [
    "ESTADOS_CERRADOS",
    "ESTADOS_CON_SELLO_VIGENTE",
    "AccionCatalogo",
    "AccionPlan",
    "Adhesion",
    "Archivo",
    "CatalogoVersion",
    "Certificado",
    "Decision",
    "DecisionComite",
    "EstadoEvidencia",
    "EstadoPlan",
    "EstadoSello",
    "Evaluacion",
    "Evidencia",
    "LatidoWorker",
    "Linea",
    "Notificacion",
    "PlanTrabajo",
    "Puntaje",
    "Recordatorio",
    "ReglaPuntaje",
    "TransicionSello",
]
