"""Seed the first published catalogue of expected actions (five lines) and scoring rule v1."""

from django.db import migrations
from django.utils import timezone

CATALOGO = [
    # (line, code, name, medios de verificación, mandatory)
    (1, "1.1", "Decreto alcaldicio que crea la Oficina o Programa Municipal de Migrantes",
     "Copia del decreto alcaldicio que crea la oficina o programa y define sus funciones.", True),
    (1, "1.2", "Designación de un encargado/a de la Oficina de Migrantes con dedicación al programa",
     "Decreto de nombramiento o documento que asigna la función, con horas de dedicación.", True),
    (1, "1.3", "Presupuesto municipal asignado a la oficina o programa",
     "Extracto del presupuesto municipal aprobado por el Concejo con la asignación.", False),
    (1, "1.4", "Protocolo de atención y derivación de personas migrantes en la municipalidad",
     "Protocolo aprobado y constancia de su difusión a las unidades municipales.", False),
    (1, "1.5", "Registro de atenciones de la Oficina de Migrantes",
     "Reporte anual del registro de atenciones (sin datos personales).", False),
    (2, "2.1", "Plan comunal de capacitación en migración e interculturalidad",
     "Plan de capacitación aprobado, con temas, unidades destinatarias y calendario.", True),
    (2, "2.2", "Capacitación de funcionarios de atención de público (DIDECO, OMIL, salud, educación)",
     "Programa de la actividad y listas de asistencia firmadas.", False),
    (2, "2.3", "Participación de funcionarios municipales en capacitaciones del SERMIG",
     "Certificados de asistencia emitidos por el SERMIG.", False),
    (2, "2.4", "Capacitación en derechos de niños, niñas y adolescentes migrantes y en género y migración",
     "Programa de la actividad y listas de asistencia.", False),
    (3, "3.1", "Ordenanza municipal o capítulo del PLADECO sobre inclusión de personas migrantes",
     "Ordenanza publicada o capítulo del PLADECO aprobado por el Concejo.", True),
    (3, "3.2", "Diagnóstico comunal de la población migrante",
     "Documento de diagnóstico con fuentes oficiales (INE, SERMIG) y datos municipales.", False),
    (3, "3.3", "Material informativo municipal traducido a las lenguas de la comunidad migrante",
     "Ejemplares del material (p. ej. en creole e inglés) y registro de su distribución.", False),
    (3, "3.4", "Acceso a programas sociales municipales sin discriminación por situación migratoria",
     "Instructivo o reglamento municipal que lo establece.", False),
    (4, "4.1", "Operativos de regularización migratoria con el SERMIG («Migraciones en tu barrio»)",
     "Acta del operativo y registro agregado de atenciones.", True),
    (4, "4.2", "Orientación en trámites migratorios en la Oficina de Migrantes",
     "Registro agregado de orientaciones por tipo de trámite.", False),
    (4, "4.3", "Derivación de casos al SERMIG a través de la plataforma de casos",
     "Reporte de casos derivados desde la plataforma.", False),
    (5, "5.1", "Registro municipal de organizaciones de personas migrantes",
     "Registro actualizado de organizaciones con su personalidad jurídica o estado de constitución.", True),
    (5, "5.2", "Mesa o consejo comunal de migración con participación de organizaciones",
     "Decreto de constitución y actas de al menos dos sesiones.", False),
    (5, "5.3", "Actividades interculturales con la comunidad",
     "Programa de las actividades y registro de participación.", False),
    (5, "5.4", "Consulta ciudadana a personas migrantes y refugiadas",
     "Informe de resultados de la consulta.", False),
]


def sembrar(apps, schema_editor):
    CatalogoVersion = apps.get_model("sello", "CatalogoVersion")
    AccionCatalogo = apps.get_model("sello", "AccionCatalogo")
    ReglaPuntaje = apps.get_model("sello", "ReglaPuntaje")
    ahora = timezone.now()
    catalogo = CatalogoVersion.objects.create(
        codigo="2026",
        nombre="Catálogo de acciones 2026",
        descripcion="Acciones esperadas y medios de verificación de las cinco líneas de compromiso.",
        publicada_en=ahora,
    )
    AccionCatalogo.objects.bulk_create(
        AccionCatalogo(
            catalogo=catalogo,
            linea=linea,
            codigo=codigo,
            nombre=nombre,
            medios_verificacion=medios,
            obligatoria=obligatoria,
            orden=orden,
        )
        for orden, (linea, codigo, nombre, medios, obligatoria) in enumerate(CATALOGO, start=1)
    )
    ReglaPuntaje.objects.create(
        version=1,
        nombre="Regla de certificación 2026",
        pesos={"1": 25, "2": 20, "3": 20, "4": 15, "5": 20},
        minimos={"1": 60, "2": 60, "3": 60, "4": 60, "5": 60},
        umbral=75,
        no_aplica_excluye=True,
        publicada_en=ahora,
    )


def quitar(apps, schema_editor):
    apps.get_model("sello", "ReglaPuntaje").objects.filter(version=1).delete()
    apps.get_model("sello", "CatalogoVersion").objects.filter(codigo="2026").delete()


class Migration(migrations.Migration):
    dependencies = [("sello", "0002_sello")]

    operations = [migrations.RunPython(sembrar, quitar)]
