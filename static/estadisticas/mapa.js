/*
 * Interactive comuna maps (Leaflet 1.9.4, vendored; no tile layer, so nothing leaves the site).
 *
 * Every element with [data-mapa] becomes a map:
 *   data-geojson  URL of static/estadisticas/comunas.geojson
 *   data-estados  URL of a JSON endpoint:
 *                 {"estados": {"13108": {"estado", "etiqueta", "color"}, ...},
 *                  "leyenda": [{"etiqueta", "color"}, ...], "region": "13" | null}
 *   data-mensaje-error, data-mensaje-cargando, data-atribucion  translated texts (Spanish
 *                 defaults below)
 * Names and labels are only ever written with textContent; no eval, no inline handlers, so the
 * file works under a "script-src 'self'" policy.
 */
(function () {
  "use strict";

  var GRIS = "#d9d9d9";
  var BORDE = "#4a5560";
  var OCEANICO = -77;
  var COLOR_VALIDO = /^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/;
  var geojsonCache = {};

  function color(valor) {
    return typeof valor === "string" && COLOR_VALIDO.test(valor) ? valor : GRIS;
  }

  function escapar(texto) {
    // Leaflet's attribution takes HTML; ours is plain text.
    return String(texto).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function mensaje(contenedor, texto) {
    contenedor.textContent = "";
    var p = document.createElement("p");
    p.className = "mapa-mensaje";
    p.setAttribute("role", "status");
    p.textContent = texto;
    contenedor.appendChild(p);
  }

  function leerJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) {
        throw new Error("HTTP " + r.status);
      }
      return r.json();
    });
  }

  function geojson(url) {
    // Several maps on one page share one download of the polygons.
    if (!geojsonCache[url]) {
      geojsonCache[url] = leerJson(url);
    }
    return geojsonCache[url];
  }

  function contenidoTooltip(nombre, etiqueta) {
    var div = document.createElement("div");
    var fuerte = document.createElement("strong");
    fuerte.textContent = nombre;
    div.appendChild(fuerte);
    if (etiqueta) {
      div.appendChild(document.createElement("br"));
      div.appendChild(document.createTextNode(etiqueta));
    }
    return div;
  }

  function limites(features) {
    // Fit the mainland: Isla de Pascua and Juan Fernández (west of 77° W) would shrink it to
    // a sliver. They stay on the map, a pan away.
    var bounds = L.latLngBounds([]);
    features.forEach(function (f) {
      var g = f.geometry;
      var poligonos = g.type === "MultiPolygon" ? g.coordinates : [g.coordinates];
      poligonos.forEach(function (poligono) {
        var exterior = poligono[0];
        var continental = exterior.some(function (p) {
          return p[0] >= OCEANICO;
        });
        if (continental) {
          exterior.forEach(function (p) {
            bounds.extend([p[1], p[0]]);
          });
        }
      });
    });
    return bounds;
  }

  function controlLeyenda(entradas) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var caja = L.DomUtil.create("div", "mapa-leyenda");
      var lista = document.createElement("ul");
      entradas.forEach(function (entrada) {
        var item = document.createElement("li");
        var muestra = document.createElement("span");
        muestra.className = "mapa-muestra";
        muestra.style.backgroundColor = color(entrada.color);
        muestra.setAttribute("aria-hidden", "true");
        item.appendChild(muestra);
        item.appendChild(document.createTextNode(String(entrada.etiqueta || "")));
        lista.appendChild(item);
      });
      caja.appendChild(lista);
      L.DomEvent.disableClickPropagation(caja);
      return caja;
    };
    return control;
  }

  function dibujar(contenedor, datos, respuesta) {
    var estados = (respuesta && respuesta.estados) || {};
    var region = respuesta && respuesta.region ? String(respuesta.region) : null;
    var features = (datos.features || []).filter(function (f) {
      return region === null || f.properties.region_cut === region;
    });
    if (!features.length) {
      throw new Error("sin comunas");
    }
    contenedor.textContent = "";
    var mapa = L.map(contenedor, { zoomSnap: 0.25, scrollWheelZoom: false, attributionControl: true });
    mapa.attributionControl.setPrefix(false);
    mapa.attributionControl.addAttribution(escapar(contenedor.getAttribute("data-atribucion") || "Límites: BCN, chilemapas (GPL-3)"));
    var capa = L.geoJSON({ type: "FeatureCollection", features: features }, {
      style: function (f) {
        var estado = estados[f.properties.cut];
        return { color: BORDE, weight: 0.6, fillColor: color(estado && estado.color), fillOpacity: 1 };
      },
      onEachFeature: function (f, layer) {
        var estado = estados[f.properties.cut];
        layer.bindTooltip(contenidoTooltip(String(f.properties.comuna), estado ? String(estado.etiqueta || "") : ""), {
          sticky: true,
        });
        layer.on("mouseover", function () {
          layer.setStyle({ weight: 2.5, color: "#000000" });
          layer.bringToFront();
        });
        layer.on("mouseout", function () {
          capa.resetStyle(layer);
        });
      },
    }).addTo(mapa);
    var bounds = limites(features);
    mapa.fitBounds(bounds.isValid() ? bounds : capa.getBounds(), { padding: [8, 8] });
    if (Array.isArray(respuesta.leyenda) && respuesta.leyenda.length) {
      controlLeyenda(respuesta.leyenda).addTo(mapa);
    }
  }

  function iniciar(contenedor) {
    if (contenedor.getAttribute("data-mapa-iniciado")) {
      return;
    }
    contenedor.setAttribute("data-mapa-iniciado", "1");
    var error = contenedor.getAttribute("data-mensaje-error") || "No se pudo cargar el mapa. Intente nuevamente más tarde.";
    if (!window.L || !window.fetch || !window.Promise) {
      mensaje(contenedor, error);
      return;
    }
    mensaje(contenedor, contenedor.getAttribute("data-mensaje-cargando") || "Cargando el mapa…");
    Promise.all([geojson(contenedor.getAttribute("data-geojson")), leerJson(contenedor.getAttribute("data-estados"))])
      .then(function (r) {
        dibujar(contenedor, r[0], r[1]);
      })
      .catch(function () {
        mensaje(contenedor, error);
      });
  }

  function todos() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-mapa]"), iniciar);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", todos);
  } else {
    todos();
  }
})();
