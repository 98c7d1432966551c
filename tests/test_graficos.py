"""Server-side SVG charts: escaping, suppressed values, es-CL numbers, valid XML, and the same
markup read back from a WeasyPrint PDF."""

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import weasyprint
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from estadisticas.graficos import Dato, Serie, barras_apiladas, barras_horizontales, columnas, formatear, lineas
from sello.pdf import FetcherSeguro

SVG = "{http://www.w3.org/2000/svg}"
ATAQUE = "<script>alert(1)</script>"


def parsear(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - the charts' own output, parsed to check it is XML


def textos(svg: str) -> list[str]:
    return ["".join(t.itertext()) for t in parsear(svg).iter(f"{SVG}text")]


def estimacion() -> list[Serie]:
    anios = ["2018", "2019", "2020", "2021", "2022"]
    return [
        Serie("Chile", [Dato(a, v) for a, v in zip(anios, [1300005, 1474730, 1501995, 1564160, 1625074], strict=True)]),
        Serie("Mediana regional", [Dato(a, v) for a, v in zip(anios, [12000, 13000, None, 15500, 16000], strict=True)]),
    ]


def test_it_formats_numbers_the_chilean_way() -> None:
    assert formatear(1625074) == "1.625.074"
    assert formatear(1625074.0) == "1.625.074"
    assert formatear(12.5) == "12,5"
    assert formatear(1234.567) == "1.234,57"
    assert formatear(0) == "0"


def test_every_chart_is_an_accessible_standalone_svg() -> None:
    datos = [Dato("Independencia", 1200), Dato("Quilicura", 800)]
    for svg in (
        barras_horizontales(datos, titulo="Casos"),
        columnas(datos, titulo="Casos"),
        lineas(estimacion(), titulo="Estimación"),
        barras_apiladas(estimacion(), titulo="Estimación"),
    ):
        assert isinstance(svg, SafeString)
        raiz = parsear(svg)
        assert raiz.tag == f"{SVG}svg"
        assert raiz.get("role") == "img"
        assert raiz.get("width") == "100%"
        assert raiz.get("viewBox", "").startswith("0 0 640 ")
        assert raiz.get("font-family", "").startswith("DejaVu Sans")
        assert raiz.find(f"{SVG}title") is not None
        assert "Independencia" in (raiz.findtext(f"{SVG}desc") or "") or "Chile" in (raiz.findtext(f"{SVG}desc") or "")
        assert "href" not in svg
        # Sized by the one class the pages' and the minuta's style sheets define: a style
        # attribute would be refused by the pages' CSP (style-src 'self').
        assert raiz.get("class") == "grafico-svg"
        assert "style=" not in svg


def test_user_labels_are_escaped() -> None:
    datos = [Dato(ATAQUE, 10), Dato('"><img src=x onerror=alert(1)>', 5)]
    for svg in (
        barras_horizontales(datos, titulo=ATAQUE, unidad="<b>"),
        columnas(datos, titulo=ATAQUE),
        lineas([Serie(ATAQUE, datos)], titulo=ATAQUE),
        barras_apiladas([Serie(ATAQUE, datos)], titulo=ATAQUE, unidad="<b>"),
    ):
        assert "<script" not in svg
        assert "<img" not in svg
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
        assert ATAQUE in "".join(parsear(svg).itertext())  # shown as text, intact
        parsear(svg)


def test_control_characters_do_not_break_the_xml() -> None:
    parsear(barras_horizontales([Dato("Comuna\x00\x1f", 1)], titulo="x\x08"))


def test_a_suppressed_value_draws_no_bar_and_shows_its_text() -> None:
    svg = barras_horizontales(
        [Dato("Independencia", 1234), Dato("Quilicura", None, "< 5"), Dato("Renca", None, "reservado")],
        titulo="Casos NNA",
    )

    assert len(parsear(svg).findall(f".//{SVG}rect")) == 1
    assert "< 5" in textos(svg)
    assert "reservado" in textos(svg)
    assert "1.234" in textos(svg)


def test_columns_of_suppressed_values_show_their_text() -> None:
    svg = columnas([Dato("ene", 12), Dato("feb", None, "< 5"), Dato("mar", 0)], titulo="Por mes")

    assert len(parsear(svg).findall(f".//{SVG}rect")) == 1
    assert "< 5" in textos(svg)


def test_stacked_bars_never_total_a_suppressed_part() -> None:
    series = [
        Serie("Temporales", [Dato("Independencia", 1200), Dato("Quilicura", 900)]),
        Serie("Definitivas", [Dato("Independencia", 300), Dato("Quilicura", None, "< 5")]),
    ]

    svg = barras_apiladas(series, titulo="Residencias 2023")

    assert len(parsear(svg).findall(f".//{SVG}rect")) == 2 + 3  # legend squares + visible parts
    assert "1.500" in textos(svg)
    assert "900 + < 5" in textos(svg)


def test_bars_show_thousands_separators_and_the_unit() -> None:
    svg = barras_horizontales([Dato("Chile", 1625074)], titulo="Extranjeros", unidad="personas")

    assert "1.625.074 personas" in textos(svg)


def test_line_axis_ticks_use_thousands_separators() -> None:
    svg = lineas(estimacion(), titulo="Estimación 2018-2022")

    etiquetas = textos(svg)
    assert "2.000.000" in etiquetas or "1.500.000" in etiquetas
    assert {"2018", "2022", "Chile", "Mediana regional"} <= set(etiquetas)
    # One line for Chile; the missing 2020 value splits the regional one in two.
    assert len(parsear(svg).findall(f".//{SVG}polyline")) == 3


def test_empty_data_says_so() -> None:
    for svg in (
        barras_horizontales([], titulo="Casos"),
        columnas([], titulo="Casos"),
        lineas([], titulo="Casos"),
        lineas([Serie("Chile", [])], titulo="Casos"),
        barras_apiladas([], titulo="Casos"),
    ):
        assert textos(svg) == ["Sin datos"]


def test_the_partial_gives_the_figures_as_a_table() -> None:
    datos = [Dato("Independencia", 1234), Dato(ATAQUE, None, "< 5")]
    html = render_to_string(
        "estadisticas/_grafico_tabla.html",
        {"grafico": barras_horizontales(datos, titulo="Casos"), "datos": datos, "titulo": "Casos por comuna"},
    )

    assert html.count("<svg") == 1
    assert "<script" not in html
    assert '<th scope="row">Independencia</th><td>1.234</td>' in html
    assert "<td>&lt; 5</td>" in html
    assert "<details" in html


def test_the_partial_takes_series() -> None:
    series = estimacion()
    html = render_to_string(
        "estadisticas/_grafico_tabla.html",
        {"grafico": lineas(series, titulo="Estimación"), "series": series, "titulo": "Estimación"},
    )

    assert "<td>1.625.074</td>" in html
    assert "Mediana regional" in html


def test_charts_render_in_a_pdf(tmp_path: Path) -> None:
    barras = barras_horizontales([Dato("Independencia", 1234), Dato("Quilicura", None, "< 5")], titulo="Casos")
    linea = lineas(estimacion(), titulo="Estimación")
    html = f'<html><body style="font-family: DejaVu Sans">{barras}{linea}</body></html>'

    pdf = weasyprint.HTML(string=html, base_url=None, url_fetcher=FetcherSeguro()).write_pdf()

    ruta = tmp_path / "graficos.pdf"
    ruta.write_bytes(pdf)
    leido = subprocess.run(["pdftotext", str(ruta), "-"], capture_output=True, check=True, text=True).stdout
    compacto = "".join(leido.split())
    assert "Independencia" in leido
    assert "Medianaregional" in compacto
    assert "1.234" in leido
    assert "<5" in compacto
    assert "1.625.074" in leido or "1.500.000" in leido
