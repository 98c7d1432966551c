"""Upload pages of official data: national staff only, an upload runs as a task, the import's
page shows its progress, totals and report."""

from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from estadisticas import services
from estadisticas.models import CifraOficial, Fuente, Importacion

from .conftest import client_for

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "estadisticas" / "data"
RESUMEN_REGIONES = DATA / "extranjeros_estimados_ine_sermig_regiones.csv"
REFUGIO = DATA / "sermig_refugio_muestra.csv"
LISTA = "/estadisticas/importaciones/"
NUEVA = "/estadisticas/importaciones/nueva/"


def _subida(ruta: Path, nombre: str | None = None, contenido: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(nombre or ruta.name, ruta.read_bytes() if contenido is None else contenido)


def _datos(archivo: SimpleUploadedFile, **extra: object) -> dict[str, object]:
    return {"fuente": Fuente.INE_SERMIG_RESUMEN_REGIONES, "release": "2023-12", "archivo": archivo, **extra}


def test_las_urls_tienen_nombre() -> None:
    assert reverse("estadisticas:importaciones") == LISTA
    assert reverse("estadisticas:importacion_nueva") == NUEVA
    assert reverse("estadisticas:importacion", kwargs={"pk": 7}) == "/estadisticas/importaciones/7/"


def test_nacional_sube_un_archivo_y_se_importa(nacional, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(nacional).post(NUEVA, _datos(_subida(RESUMEN_REGIONES)))
    assert len(callbacks) == 1  # the task is queued once the record is committed
    imp = Importacion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/estadisticas/importaciones/{imp.pk}/"
    assert imp.estado == Importacion.Estado.COMPLETADA, imp.error
    assert (imp.creado_por, imp.nombre_archivo, imp.filas) == (nacional, RESUMEN_REGIONES.name, 18)
    assert imp.totales["por_indicador"]["extranjeros"]["2022"] == 1_625_074
    assert services.totales_en_bd(imp) == imp.totales
    assert CifraOficial.objects.filter(importacion=imp).count() == 119
    pagina = client_for(nacional).get(response["Location"])
    html = pagina.content.decode()
    assert pagina.status_code == 200
    assert "Completada" in html
    assert "1625074" in html
    assert "Región ignorada" in html
    assert "EST_2023_RELEASE2024" in html
    assert 'http-equiv="refresh"' not in html
    lista = client_for(nacional).get(LISTA).content.decode()
    assert imp.checksum[:12] in lista
    assert "2023-12" in lista


@pytest.mark.parametrize("nombre", ["anonimo", "municipal", "regional", "evaluador", "sin_rol"])
def test_solo_nacional_puede_subir(nombre, persona, django_capture_on_commit_callbacks) -> None:
    usuario = persona(nombre)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(usuario).post(NUEVA, _datos(_subida(RESUMEN_REGIONES)))
    assert response.status_code == (302 if usuario is None else 403)
    if usuario is None:
        assert response["Location"].startswith("/accounts/login/")
    assert callbacks == []
    assert Importacion.objects.count() == 0
    assert CifraOficial.objects.count() == 0


@pytest.mark.parametrize(
    ("archivo", "mensaje"),
    [
        (SimpleUploadedFile("vacio.csv", b""), "El archivo está vacío."),
        (
            SimpleUploadedFile("informe.pdf", b"%PDF-1.4 x"),
            "El archivo debe ser .csv o .xlsx (se recibió «informe.pdf»).",
        ),
    ],
)
def test_archivo_malo_mensaje_claro_y_nada_creado(nacional, archivo, mensaje) -> None:
    response = client_for(nacional).post(NUEVA, _datos(archivo))
    assert response.status_code == 400
    assert mensaje in response.content.decode()
    assert Importacion.objects.count() == 0


def test_archivo_demasiado_grande(nacional, settings) -> None:
    settings.SELLO_MAX_IMPORTACION_BYTES = 100
    response = client_for(nacional).post(NUEVA, _datos(_subida(RESUMEN_REGIONES)))
    assert response.status_code == 400
    assert "el máximo es 100\xa0bytes" in response.content.decode()
    assert Importacion.objects.count() == 0


def test_faltan_fuente_y_publicacion(nacional) -> None:
    response = client_for(nacional).post(NUEVA, {"fuente": "", "release": "  ", "archivo": _subida(REFUGIO)})
    assert response.status_code == 400
    assert response.content.decode().count('class="field-error"') == 2
    assert Importacion.objects.count() == 0


def test_comunas_no_reconocidas_se_muestran(nacional, django_capture_on_commit_callbacks) -> None:
    contenido = b"cut,comuna,region_cut,est_2022\n13108,Independencia,13,5\n99999,Gotham,13,7\n"
    datos = _datos(_subida(REFUGIO, "comunas.csv", contenido), fuente=Fuente.INE_SERMIG_RESUMEN_COMUNAS)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(nacional).post(NUEVA, datos)
    imp = Importacion.objects.get()
    assert imp.estado == Importacion.Estado.ERROR
    html = client_for(nacional).get(response["Location"]).content.decode()
    assert "Hay comunas o regiones no reconocidas" in html
    assert "CUT 99999 Gotham" in html
    assert CifraOficial.objects.count() == 0


def test_en_curso_muestra_el_avance_y_se_actualiza(nacional) -> None:
    imp = Importacion.objects.create(fuente=Fuente.SERMIG_REFUGIO, release="2023", estado=Importacion.Estado.PROCESANDO)
    cache.set(services.clave_progreso(imp.pk), 20000)
    html = client_for(nacional).get(f"/estadisticas/importaciones/{imp.pk}/").content.decode()
    assert '<meta http-equiv="refresh" content="3">' in html
    assert "Procesando: 20000 líneas leídas hasta ahora." in html
    Importacion.objects.filter(pk=imp.pk).update(estado=Importacion.Estado.PENDIENTE)
    cache.delete(services.clave_progreso(imp.pk))
    html = client_for(nacional).get(f"/estadisticas/importaciones/{imp.pk}/").content.decode()
    assert "En cola" in html
    assert '<meta http-equiv="refresh" content="3">' in html


def test_pagina_de_microdatos_muestra_sus_totales(nacional) -> None:
    ruta = DATA / "ine_sermig_estimacion_baseregiones_muestra.csv"
    imp = services.importar_ruta(fuente=Fuente.INE_SERMIG_REGIONES, release="2023-12", ruta=ruta)
    html = client_for(nacional).get(f"/estadisticas/importaciones/{imp.pk}/").content.decode()
    assert (
        f'<tr><th scope="row">Estimación</th><td>2018</td><td>{imp.totales["por_anio"]["2018"]["estimacion"]}</td></tr>'
        in html
    )
    assert f"{imp.totales['cifras']} cifras oficiales disponibles" in html


def test_importacion_inexistente(nacional) -> None:
    assert client_for(nacional).get("/estadisticas/importaciones/999999/").status_code == 404


def test_la_lista_no_crece_en_consultas(nacional, django_assert_num_queries) -> None:
    def crear(n: int) -> None:
        for i in range(n):
            Importacion.objects.create(fuente=Fuente.SERMIG_REFUGIO, release=f"r{i}", creado_por=nacional)

    cliente = client_for(nacional)
    crear(1)
    # session, user, count, unread notifications (navigation), the page of imports with who uploaded them
    with django_assert_num_queries(5):
        assert cliente.get(LISTA).status_code == 200
    crear(10)
    with django_assert_num_queries(5):
        assert cliente.get(LISTA).status_code == 200
