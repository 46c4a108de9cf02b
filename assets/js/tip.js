/*
 * The map of the public tip form: click (or tap) to put the point; the latitude and
 * longitude fields are filled and stay editable, so the map is a convenience, never the
 * only way. Choosing the commune moves the map to its centre. Needs Leaflet (window.L).
 *
 *   <div class="dz-pick" data-lat="#lat-input" data-lon="#lon-input"></div>
 *   <select data-tip-commune> <option data-centre="lat,lon"> …
 */
(function () {
  "use strict";

  function start() {
    var L = window.L;
    var node = document.querySelector(".dz-pick");
    if (!L || !node) {
      return;
    }
    var latInput = document.querySelector(node.getAttribute("data-lat"));
    var lonInput = document.querySelector(node.getAttribute("data-lon"));
    var map = L.map(node, { minZoom: 5, maxZoom: 16, zoomSnap: 0.5 });
    map.attributionControl.setPrefix(false);
    map.fitBounds([[8.2, 102.1], [23.4, 109.6]]);
    fetch("/assets/geo/vietnam.geojson", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (g) {
        if (g) {
          L.geoJSON(g, { interactive: false, className: "dz-pick-outline" }).addTo(map);
        }
      })
      .catch(function () { /* the outline is decoration */ });
    var marker = null;

    function put(lat, lon, pan) {
      if (!isFinite(lat) || !isFinite(lon)) {
        return;
      }
      if (marker) {
        marker.setLatLng([lat, lon]);
      } else {
        marker = L.circleMarker([lat, lon], { radius: 8, className: "dz-pick-marker" }).addTo(map);
      }
      if (pan) {
        map.setView([lat, lon], Math.max(map.getZoom(), 12));
      }
    }

    map.on("click", function (e) {
      var lat = Math.round(e.latlng.lat * 1e6) / 1e6;
      var lon = Math.round(e.latlng.lng * 1e6) / 1e6;
      if (latInput) { latInput.value = String(lat); }
      if (lonInput) { lonInput.value = String(lon); }
      put(lat, lon, false);
    });

    function fromInputs() {
      var lat = parseFloat(String(latInput && latInput.value).replace(",", "."));
      var lon = parseFloat(String(lonInput && lonInput.value).replace(",", "."));
      if (isFinite(lat) && isFinite(lon)) {
        put(lat, lon, true);
      }
    }
    [latInput, lonInput].forEach(function (i) {
      if (i) { i.addEventListener("change", fromInputs); }
    });
    fromInputs();

    var commune = document.querySelector("select[data-tip-commune]");
    if (commune) {
      commune.addEventListener("change", function () {
        var opt = commune.options[commune.selectedIndex];
        var c = opt && opt.getAttribute("data-centre");
        if (c && !marker) {
          var parts = c.split(",");
          map.setView([parseFloat(parts[0]), parseFloat(parts[1])], 12);
        }
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
