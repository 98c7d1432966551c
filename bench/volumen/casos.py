"""Cases, their personas, transitions, messages, sensitive-case openings and simple-history
"+" rows, written in creation order (ids grow with ``creado_en``, as in production) in lots.

Every field is consistent with the case's state, as the services would have left it:
``derivado_en`` at the ``derivar`` transition, ``plazo`` from ``PlazoRespuesta`` (reset on
``reabrir``), ``vencido`` when the deadline passed while the case waited on SERMIG,
``resuelto_en`` and ``resolucion`` from ``resolver``, consent for every escalated case,
``sensible`` for sensitive types and children, the folio numbered per comuna and year.
"""

import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from casos.models import (
    SUBTIPOS,
    TIPOS_SENSIBLES,
    Caso,
    EstadoCaso,
    Mensaje,
    Persona,
    PlazoRespuesta,
    SecuenciaFolio,
    TipoCaso,
)
from casos.services import PLAZO_POR_DEFECTO_HORAS

from . import comunas as territorio
from . import escala, personas, textos
from .copia import NULO, Consola, Copiador, Tarea, dia, momento, siguiente_id
from .usuarios import Personal

E = EstadoCaso
LOTE = 20_000
PROGRESO = 100_000
DIA = 86_400
COLUMNAS = [
    "id", "uuid", "folio", "comuna_id", "persona_id", "tipo", "subtipo", "prioridad", "canal", "descripcion",
    "sensible", "consentimiento", "consentimiento_fecha", "numero_solicitud_sermig", "estado", "asignado_a_id",
    "derivado_en", "plazo", "vencido", "resuelto_en", "resolucion", "creado_por_id", "creado_en",
    "actualizado_en", "version",
]  # fmt: skip
HISTORIA = ["history_date", "history_change_reason", "history_type", "history_user_id"]
COLUMNAS_TRANSICION = ["caso_id", "desde", "hasta", "accion", "usuario_id", "comentario", "fecha"]
COLUMNAS_MENSAJE = ["id", "caso_id", "autor_id", "texto", "interno", "creado_en"]
COLUMNAS_ACCESO = ["caso_id", "usuario_id", "fecha", "via"]

DESTINO = {
    "derivar": E.DERIVADO,
    "asignar": E.EN_GESTION,
    "solicitar_informacion": E.REQUIERE_INFORMACION,
    "responder": E.EN_GESTION,
    "resolver": E.RESUELTO,
    "cerrar": E.CERRADO,
    "reabrir": E.REABIERTO,
}
# Delay from the previous step: seconds for the municipality's steps, a fraction of the
# response deadline (``PlazoRespuesta``) for SERMIG's, so most cases are answered in time.
DEMORAS = {
    "derivar": (600, 2 * DIA),
    "cerrar": (DIA, 20 * DIA),
    "reabrir": (5 * DIA, 60 * DIA),
}
FRACCIONES_PLAZO = {
    "asignar": (0.02, 0.3),
    "solicitar_informacion": (0.05, 0.3),
    "responder": (0.05, 0.4),
    "resolver": (0.1, 0.8),
}
ATRASADOS = 0.25  # share of cases whose resolution takes three times longer
MUNICIPALES = frozenset({"derivar", "responder", "cerrar"})
CON_MENSAJE = frozenset({"solicitar_informacion", "responder"})
MENSAJES_EXTRA = escala.Urna({0: 35, 1: 32, 2: 20, 3: 9, 4: 4})
TIPOS = escala.Urna(escala.TIPOS)
PRIORIDADES = escala.Urna(escala.PRIORIDADES)
PRIORIDADES_SENSIBLES = escala.Urna(escala.PRIORIDADES_SENSIBLES)
CANALES = escala.Urna(escala.CANALES)
ESTADOS_POR_EDAD = [(dias, escala.Urna(pesos)) for dias, pesos in escala.ESTADOS_POR_EDAD]
SENSIBLES = frozenset(str(t) for t in TIPOS_SENSIBLES)


def camino(estado: str, rng: random.Random) -> list[str]:
    """The workflow actions (``casos.flujo``) that lead a new case to ``estado``."""
    if estado == E.BORRADOR:
        return []
    if estado == E.DERIVADO:
        return ["derivar"]
    consulta = ["solicitar_informacion", "responder"] if rng.random() < 0.2 else []
    if estado == E.EN_GESTION:
        return ["derivar", "asignar", *consulta]
    if estado == E.REQUIERE_INFORMACION:
        return ["derivar", "asignar", "solicitar_informacion"]
    resuelto = ["derivar", "asignar", *consulta, "resolver"]
    if estado == E.RESUELTO:
        return resuelto
    if estado == E.CERRADO:
        return [*resuelto, "cerrar"]
    return [*resuelto, *(["cerrar"] if rng.random() < 0.5 else []), "reabrir"]  # reabierto


@dataclass
class Lote:
    personas: list[str] = field(default_factory=list)
    historia_personas: list[str] = field(default_factory=list)
    casos: list[str] = field(default_factory=list)
    historia_casos: list[str] = field(default_factory=list)
    transiciones: list[str] = field(default_factory=list)
    mensajes: list[str] = field(default_factory=list)
    historia_mensajes: list[str] = field(default_factory=list)
    accesos: list[str] = field(default_factory=list)

    def tareas(self) -> list[Tarea]:
        """The lot's COPYs, parents first."""
        return [
            (Persona, personas.COLUMNAS, self.personas),
            (Persona.history.model, personas.COLUMNAS_HISTORIA, self.historia_personas),
            (Caso, COLUMNAS, self.casos),
            (Caso.history.model, [*COLUMNAS, *HISTORIA], self.historia_casos),
            ("casos_transicioncaso", COLUMNAS_TRANSICION, self.transiciones),
            (Mensaje, COLUMNAS_MENSAJE, self.mensajes),
            (Mensaje.history.model, [*COLUMNAS_MENSAJE, *HISTORIA], self.historia_mensajes),
            ("casos_accesosensible", COLUMNAS_ACCESO, self.accesos),
        ]


class Generador:
    """Writes one case (and what comes with it) into the current lot."""

    def __init__(self, *, semilla: int, ahora: int, personal: Personal) -> None:
        self.rng = random.Random(f"{semilla}:casos")  # noqa: S311 - reproducible data, not secrets
        self.ahora = ahora
        self.personal = personal
        self.plazos = {(t, p): h for t, p, h in PlazoRespuesta.objects.values_list("tipo", "prioridad", "horas")}
        self.folios = {(s.comuna_id, s.anio): s.ultimo for s in SecuenciaFolio.objects.all()}
        self.persona_id = siguiente_id(Persona)
        self.caso_id = siguiente_id(Caso)
        self.mensaje_id = siguiente_id(Mensaje)
        self.lote = Lote()

    def _tiempos(self, acciones: Sequence[str], creado: int, horas: int) -> list[int]:
        rng, t, tiempos = self.rng, creado, []
        lento = 3 if rng.random() < ATRASADOS else 1
        for accion in acciones:
            if accion in DEMORAS:
                t += rng.randint(*DEMORAS[accion])
            else:
                minimo, maximo = FRACCIONES_PLAZO[accion]
                t += int(3600 * horas * rng.uniform(minimo, maximo) * (lento if accion == "resolver" else 1))
            tiempos.append(t)
        disponible = self.ahora - 60 - creado
        if tiempos and tiempos[-1] - creado > disponible:  # a young case: its steps came faster
            factor = disponible * rng.uniform(0.2, 1.0) / (tiempos[-1] - creado)
            tiempos = [creado + int((x - creado) * factor) for x in tiempos]
        return tiempos

    def _persona(self, comuna: territorio.ComunaVol, creado: int, tipo: str) -> tuple[int, bool]:
        rng = self.rng
        nueva = not comuna.personas or rng.random() * comuna.casos_pendientes < comuna.personas_pendientes
        comuna.casos_pendientes -= 1
        if not nueva:
            return rng.choice(comuna.personas)
        persona_id = self.persona_id
        self.persona_id += 1
        linea, historia, nna = personas.fila(
            rng,
            persona_id=persona_id,
            cut=comuna.cut,
            creada_por=comuna.municipal,
            creada_en=creado - rng.randint(60, 1800),
            nna=tipo == TipoCaso.NNA or rng.random() < 0.045,
        )
        self.lote.personas.append(linea)
        self.lote.historia_personas.append(historia)
        comuna.personas.append((persona_id, nna))
        comuna.personas_pendientes -= 1
        return persona_id, nna

    def _mensaje(self, caso_id: int, autor: int, texto: str, interno: bool, t: int) -> None:
        creado = momento(t)
        linea = f"{self.mensaje_id}\t{caso_id}\t{autor}\t{texto}\t{'t' if interno else 'f'}\t{creado}"
        self.lote.mensajes.append(linea)
        self.lote.historia_mensajes.append(f"{linea}\t{creado}\t{NULO}\t+\t{autor}")
        self.mensaje_id += 1

    def caso(self, comuna: territorio.ComunaVol, creado: int, forzado: tuple[str, str, str] | None) -> None:
        rng, lote = self.rng, self.lote
        tipo = forzado[0] if forzado else TIPOS.sacar(rng)
        persona_id, nna = self._persona(comuna, creado, tipo)
        sensible = tipo in SENSIBLES or nna
        prioridad = forzado[2] if forzado else (PRIORIDADES_SENSIBLES if sensible else PRIORIDADES).sacar(rng)
        edad = (self.ahora - creado) / DIA
        estado = forzado[1] if forzado else next(u for dias, u in ESTADOS_POR_EDAD if edad < dias).sacar(rng)
        acciones = camino(estado, rng)
        horas = self.plazos.get((tipo, prioridad), PLAZO_POR_DEFECTO_HORAS)
        tiempos = self._tiempos(acciones, creado, horas)
        caso_id, municipal = self.caso_id, comuna.municipal
        self.caso_id += 1
        asignado = rng.choice(comuna.regionales) if "asignar" in acciones else None
        momentos: dict[str, int] = {}
        resolucion, desde = "", str(E.BORRADOR)
        for accion, t in zip(acciones, tiempos, strict=True):
            momentos[accion] = t
            usuario = municipal if accion in MUNICIPALES else asignado
            if accion == "reabrir" and rng.random() < 0.7:
                usuario = municipal
            comentario = rng.choice(textos.COMENTARIOS[accion]) if accion in textos.COMENTARIOS else ""
            hasta = DESTINO[accion]
            lote.transiciones.append(f"{caso_id}\t{desde}\t{hasta}\t{accion}\t{usuario}\t{comentario}\t{momento(t)}")
            desde = hasta
            if accion in CON_MENSAJE:
                self._mensaje(caso_id, usuario or municipal, comentario, False, t)
            if accion == "resolver":
                resolucion = comentario
        derivado = momentos.get("derivar")
        plazo, vencido, resuelto = None, False, None
        if derivado is not None:
            plazo = momentos.get("reabrir", derivado) + 3600 * horas
            if estado in (E.RESUELTO, E.CERRADO):
                resuelto = momentos["resolver"]
            fin = momentos["solicitar_informacion"] if estado == E.REQUIERE_INFORMACION else resuelto or self.ahora
            vencido = plazo < fin
            self._conversacion(caso_id, comuna, asignado, derivado, estado, momentos)
            if sensible and rng.random() < 0.15:
                for _ in range(rng.randint(1, 2)):
                    fecha = rng.randint(derivado, min(self.ahora - 60, (tiempos[-1]) + 30 * DIA))
                    via = "api" if rng.random() < 0.1 else "web"
                    lote.accesos.append(f"{caso_id}\t{asignado or municipal}\t{momento(fecha)}\t{via}")
        consentimiento = derivado is not None or rng.random() < 0.6
        creado_en = momento(creado)
        anio = time.gmtime(creado - 4 * 3600).tm_year
        numero = self.folios.get((comuna.cut, anio), 0) + 1
        self.folios[(comuna.cut, anio)] = numero
        solicitud = f"SOL-{anio}-{rng.randint(1, 9_999_999):07d}" if derivado and rng.random() < 0.3 else ""
        cabeza = (
            f"{caso_id}\t{uuid.UUID(int=rng.getrandbits(128), version=4)}\t{comuna.cut}-{anio}-{numero:06d}\t"
            f"{comuna.cut}\t{persona_id}\t{tipo}\t{rng.choice(SUBTIPOS[tipo])[0] if rng.random() < 0.9 else ''}\t"
            f"{prioridad}\t{CANALES.sacar(rng)}\t{rng.choice(textos.DESCRIPCIONES[tipo])}\t{'t' if sensible else 'f'}\t"
            f"{'t' if consentimiento else 'f'}\t{dia(creado - 4 * 3600) if consentimiento else NULO}\t{solicitud}"
        )
        estado_linea = (
            f"\t{estado}\t{asignado or NULO}\t{momento(derivado) if derivado else NULO}\t"
            f"{momento(plazo) if plazo else NULO}\t{'t' if vencido else 'f'}\t"
            f"{momento(resuelto) if resuelto else NULO}\t{resolucion}"
        )
        cola = f"\t{municipal}\t{creado_en}"
        lote.casos.append(f"{cabeza}{estado_linea}{cola}\t{momento(tiempos[-1]) if tiempos else creado_en}\t1")
        # The "+" record is the case as created: a draft.
        inicial = f"\t{E.BORRADOR}\t{NULO}\t{NULO}\t{NULO}\tf\t{NULO}\t"
        lote.historia_casos.append(f"{cabeza}{inicial}{cola}\t{creado_en}\t1\t{creado_en}\t{NULO}\t+\t{municipal}")

    def _conversacion(
        self,
        caso_id: int,
        comuna: territorio.ComunaVol,
        asignado: int | None,
        derivado: int,
        estado: str,
        momentos: dict[str, int],
    ) -> None:
        """Messages and internal notes between escalation and the end of the conversation."""
        rng = self.rng
        if estado == E.CERRADO:
            fin = momentos["cerrar"]
        elif estado == E.RESUELTO:
            fin = min(self.ahora - 60, momentos["resolver"] + 7 * DIA)
        else:
            fin = self.ahora - 60
        for _ in range(MENSAJES_EXTRA.sacar(rng)):
            t = rng.randint(derivado, max(derivado, fin))
            if asignado is not None and rng.random() < 0.5:
                interno = rng.random() < 0.4
                texto = rng.choice(textos.NOTAS_INTERNAS if interno else textos.MENSAJES_SERMIG)
                self._mensaje(caso_id, asignado, texto, interno, t)
            else:
                self._mensaje(caso_id, comuna.municipal, rng.choice(textos.MENSAJES_MUNICIPIO), False, t)


@dataclass
class Hechos:
    casos: int = 0
    personas: int = 0


def sembrar(
    *, copiador: Copiador, personal: Personal, casos: int, semilla: int, ahora: int, consola: Consola | None = None
) -> Hechos:
    """Write ``casos`` cases over the last five years up to ``ahora`` (epoch seconds); each
    lot is sent in the background while the next one is built."""
    comunas = territorio.repartir_casos(casos, semilla=semilla, personal=personal)
    orden = territorio.cronologia(comunas, semilla=semilla, ahora=ahora, anios=escala.ANIOS)
    generador = Generador(semilla=semilla, ahora=ahora, personal=personal)
    primera_persona = generador.persona_id
    forzados = territorio.forzados(len(orden))
    inicio = time.perf_counter()
    for i, codigo in enumerate(orden):
        creado, indice = divmod(codigo, territorio.CODIGO)
        generador.caso(comunas[indice], creado, forzados.get(i))
        if (i + 1) % LOTE == 0:
            copiador.en_fondo(generador.lote.tareas())
            generador.lote = Lote()
            if consola is not None and (i + 1) % PROGRESO == 0:
                consola.write(f"seed_volume: {i + 1:,} / {len(orden):,} cases ({time.perf_counter() - inicio:.0f} s)\n")
                consola.flush()
    copiador.en_fondo(generador.lote.tareas())
    copiador.esperar()
    inicio = time.perf_counter()
    SecuenciaFolio.objects.bulk_create(
        [SecuenciaFolio(comuna_id=cut, anio=anio, ultimo=n) for (cut, anio), n in generador.folios.items()],
        update_conflicts=True,
        unique_fields=["comuna", "anio"],
        update_fields=["ultimo"],
    )
    copiador.anotar(SecuenciaFolio._meta.db_table, len(generador.folios), time.perf_counter() - inicio)
    return Hechos(casos=len(orden), personas=generador.persona_id - primera_persona)
