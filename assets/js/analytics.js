/*
 * The Analytics page's map: fetches the EHSA cells and the density surface from
 * /api/v1/analytics/{ehsa,kde} (GeoJSON, boundaries computed by h3o on the server),
 * turns them into the layers of the diaban map component (map.js: "hexes" coloured by
 * category with the 17-category legend, "heat" for the density) and builds the map.
 * Needs map.js (window.dzMap); no other dependency.
 *
 *   <div id="analytics-map" class="dz-map-pending" data-ehsa="URL" data-kde="URL"
 *        data-hex-name="..." data-heat-name="..." data-label="..."></div>
 */
(function () {
  "use strict";

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) {
          var msg = body && body.error && body.error.message;
          throw new Error(msg || url + ": HTTP " + r.status);
        }
        return body;
      });
    });
  }

  // GeoJSON [lon, lat] rings (closed) to map.js [lat, lon] boundaries (open).
  function boundary(feature) {
    var g = feature && feature.geometry;
    if (!g || g.type !== "Polygon" || !Array.isArray(g.coordinates) || !g.coordinates[0]) {
      return null;
    }
    var ring = g.coordinates[0].map(function (p) { return [p[1], p[0]]; });
    if (ring.length > 1) {
      ring.pop();
    }
    return ring;
  }

  function hexLayer(geo, name) {
    var items = (geo.features || []).map(function (f) {
      var p = f.properties || {};
      return {
        boundary: boundary(f),
        color: p.color,
        label: p.label + " — " + p.h3,
        value: p.incidents,
      };
    }).filter(function (it) { return it.boundary; });
    var legend = (geo.legend || []).map(function (l) { return { color: l.color, label: l.label }; });
    return { type: "hexes", name: name, unit: "vụ", items: items, legend: legend };
  }

  function heatLayer(geo, name) {
    var items = (geo.features || []).map(function (f) {
      return { boundary: boundary(f), value: (f.properties || {}).density };
    }).filter(function (it) { return it.boundary; });
    return { type: "heat", name: name, unit: "vụ/km²", items: items };
  }

  function showError(node, message) {
    var p = document.createElement("p");
    p.className = "flash flash--error";
    p.setAttribute("role", "alert");
    p.textContent = message;
    node.parentNode.insertBefore(p, node);
  }

  function build(node) {
    var ehsa = node.getAttribute("data-ehsa");
    var kde = node.getAttribute("data-kde");
    Promise.all([getJSON(ehsa), getJSON(kde).catch(function (e) { return { error: e }; })])
      .then(function (res) {
        var layers = [];
        // Heat first, so the hexagons stay on top and clickable.
        if (res[1] && !res[1].error) {
          layers.push(heatLayer(res[1], node.getAttribute("data-heat-name") || "KDE"));
        } else if (res[1] && res[1].error) {
          showError(node, res[1].error.message);
        }
        var hexes = hexLayer(res[0], node.getAttribute("data-hex-name") || "EHSA");
        layers.push(hexes);
        var data = document.createElement("script");
        data.type = "application/json";
        data.id = node.id + "-data";
        data.textContent = JSON.stringify({ layers: layers });
        node.parentNode.insertBefore(data, node);
        node.setAttribute("data-source", "#" + data.id);
        node.setAttribute("data-cells", String(hexes.items.length));
        node.classList.remove("dz-map-pending");
        node.classList.add("dz-map");
        if (window.dzMap) {
          window.dzMap.init(node);
        }
      })
      .catch(function (e) {
        showError(node, e.message);
      });
  }

  function paintSwatches(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-color]"), function (el) {
      var c = el.getAttribute("data-color");
      if (/^#[0-9a-fA-F]{6}$/.test(c)) {
        el.style.backgroundColor = c;
      }
    });
  }

  function init() {
    paintSwatches(document);
    var node = document.getElementById("analytics-map");
    if (node && node.classList.contains("dz-map-pending")) {
      build(node);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
