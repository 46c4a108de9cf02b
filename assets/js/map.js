/*
 * diaban map component. Needs Leaflet (window.L) loaded first; nothing else.
 *
 *   <div class="dz-map" data-source="#map-data" data-label="..."
 *        data-base="/assets/geo/vietnam.geojson" data-tiles="" data-height="420"></div>
 *
 * The JSON contract (bounds, layers: circles | points | hexes | heat) is
 * described in docs/assets.md. Maps are built on DOMContentLoaded and for
 * content htmx swaps in, and torn down when htmx removes them.
 */
(function () {
  "use strict";

  var L = window.L;
  if (!L) {
    return;
  }

  var NUM = new Intl.NumberFormat("vi-VN");
  var DEFAULT_BASE = "/assets/geo/vietnam.geojson";
  // Mainland plus both archipelagos and their labels.
  var VIETNAM = [[8.2, 102.1], [23.4, 115.6]];
  var MIN_R = 4;
  var MAX_R = 24;
  // Sequential palette, light to dark (used for scale "color" and "heat").
  var RAMP = ["#fee8c8", "#fdbb84", "#fc8d59", "#e34a33", "#b30000"];
  var HEAT_RAMP = ["#fde38a", "#fdb55f", "#f4845f", "#d1495b", "#7b1e3a"];
  var CIRCLE_COLOR = "#c0392b";
  var POINT_COLOR = "#1d4e89";

  var TEXT = {
    vi: {
      map: "Bản đồ",
      legend: "Chú giải",
      layers: "Lớp dữ liệu",
      empty: "Không có dữ liệu để hiển thị.",
      error: "Không tải được dữ liệu bản đồ.",
      zoomIn: "Phóng to",
      zoomOut: "Thu nhỏ",
      base: "Nền bản đồ",
    },
    en: {
      map: "Map",
      legend: "Legend",
      layers: "Layers",
      empty: "No data to show.",
      error: "Could not load the map data.",
      zoomIn: "Zoom in",
      zoomOut: "Zoom out",
      base: "Base map",
    },
  };
  function text(key) {
    var lang = (document.documentElement.lang || "vi").slice(0, 2).toLowerCase();
    return (TEXT[lang] || TEXT.vi)[key];
  }

  var maps = new Map(); // element -> { map, observer }
  var baseCache = {}; // url -> Promise<GeoJSON>

  // ---- data loading ------------------------------------------------------

  function loadJSON(src) {
    if (!src) {
      return Promise.reject(new Error("data-source is empty"));
    }
    if (src.charAt(0) === "#") {
      var el = document.getElementById(src.slice(1));
      if (!el) {
        return Promise.reject(new Error("no element " + src));
      }
      try {
        return Promise.resolve(JSON.parse(el.textContent));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return fetch(src, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) {
          throw new Error(src + ": HTTP " + r.status);
        }
        return r.json();
      });
  }

  function loadBase(url) {
    if (!baseCache[url]) {
      baseCache[url] = loadJSON(url).catch(function (e) {
        delete baseCache[url];
        throw e;
      });
    }
    return baseCache[url];
  }

  // ---- small helpers -------------------------------------------------------

  function num(v) {
    return typeof v === "number" && isFinite(v) ? v : null;
  }

  function fmt(v, unit) {
    var n = num(v);
    if (n === null) {
      return "—";
    }
    return NUM.format(n) + (unit ? " " + unit : "");
  }

  function el(tag, cls, content) {
    var e = document.createElement(tag);
    if (cls) {
      e.className = cls;
    }
    if (content !== undefined && content !== null) {
      e.textContent = String(content);
    }
    return e;
  }

  // Tooltip body built from text nodes, never from HTML strings.
  function tip(label, value, unit) {
    var box = el("div", "dz-map-tip");
    if (label) {
      box.appendChild(el("strong", null, label));
    }
    if (value !== undefined) {
      box.appendChild(el("span", null, fmt(value, unit)));
    }
    return box;
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function safeClass(c) {
    return typeof c === "string" ? c.replace(/[^A-Za-z0-9_-]/g, "").slice(0, 40) : "";
  }

  function isLatLng(p) {
    return Array.isArray(p) && num(p[0]) !== null && num(p[1]) !== null &&
      Math.abs(p[0]) <= 90 && Math.abs(p[1]) <= 180;
  }

  function linkTo(layer, href) {
    if (typeof href === "string" && href) {
      layer.on("click", function () {
        window.location.assign(href);
      });
    }
  }

  function hexToRgb(h) {
    var n = parseInt(h.slice(1), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }

  // Colour at t in [0,1] along a palette, interpolated.
  function rampColor(ramp, t) {
    t = Math.max(0, Math.min(1, t));
    var pos = t * (ramp.length - 1);
    var i = Math.min(Math.floor(pos), ramp.length - 2);
    var f = pos - i;
    var a = hexToRgb(ramp[i]);
    var b = hexToRgb(ramp[i + 1]);
    var c = a.map(function (x, k) {
      return Math.round(x + (b[k] - x) * f);
    });
    return "rgb(" + c.join(",") + ")";
  }

  function extent(values) {
    var lo = Infinity;
    var hi = -Infinity;
    values.forEach(function (v) {
      var n = num(v);
      if (n !== null) {
        lo = Math.min(lo, n);
        hi = Math.max(hi, n);
      }
    });
    return lo === Infinity ? null : [lo, hi];
  }

  // Five equal classes between lo and hi: [{color, from, to}].
  function classes(ramp, ext) {
    var lo = ext[0];
    var hi = ext[1];
    var step = (hi - lo) / ramp.length;
    return ramp.map(function (c, i) {
      return { color: c, from: lo + step * i, to: i === ramp.length - 1 ? hi : lo + step * (i + 1) };
    });
  }

  function classOf(cls, v) {
    for (var i = 0; i < cls.length; i++) {
      if (v <= cls[i].to) {
        return cls[i];
      }
    }
    return cls[cls.length - 1];
  }

  function rangeLabel(c, unit) {
    if (c.from === c.to) {
      return fmt(c.from, unit);
    }
    return fmt(Math.round(c.from * 100) / 100) + " – " + fmt(Math.round(c.to * 100) / 100, unit);
  }

  // ---- layers ----------------------------------------------------------------
  // Each builder returns { group: L.LayerGroup, legend: HTMLElement|null }.

  function buildCircles(spec) {
    var items = (spec.items || []).filter(function (it) {
      return isLatLng([it.lat, it.lon]);
    });
    var group = L.featureGroup();
    var ext = extent(items.map(function (it) { return it.value; }));
    var byColor = spec.scale === "color";
    var legend = null;
    if (byColor && ext) {
      var cls = classes(RAMP, ext);
      legend = stepLegend(spec.name, cls, spec.unit);
      items.forEach(function (it) {
        var v = num(it.value);
        var colour = it.color || (v === null ? "#9aa5b1" : classOf(cls, v).color);
        var m = L.circleMarker([it.lat, it.lon], {
          radius: 7, color: "#5c2a1a", weight: 1, fillColor: colour, fillOpacity: 0.9,
        });
        m.bindTooltip(tip(it.label, it.value, spec.unit), { direction: "top", offset: [0, -6] });
        linkTo(m, it.href);
        group.addLayer(m);
      });
    } else {
      var max = ext ? Math.max(ext[1], 0) : 0;
      var radius = function (v) {
        var n = num(v);
        if (n === null || n <= 0 || max <= 0) {
          return MIN_R;
        }
        return MIN_R + (MAX_R - MIN_R) * Math.sqrt(n / max);
      };
      // big circles first so small ones stay clickable on top
      items.slice().sort(function (a, b) {
        return (num(b.value) || 0) - (num(a.value) || 0);
      }).forEach(function (it) {
        var colour = it.color || spec.color || CIRCLE_COLOR;
        var m = L.circleMarker([it.lat, it.lon], {
          radius: radius(it.value), color: "#ffffff", weight: 1, fillColor: colour, fillOpacity: 0.65,
        });
        m.bindTooltip(tip(it.label, it.value, spec.unit), { direction: "top" });
        linkTo(m, it.href);
        group.addLayer(m);
      });
      if (max > 0) {
        legend = sizeLegend(spec.name, max, spec.color || CIRCLE_COLOR, radius, spec.unit);
      }
    }
    return { group: group, legend: legend, count: items.length };
  }

  function buildPoints(spec) {
    var group = L.featureGroup();
    var n = 0;
    (spec.items || []).forEach(function (it) {
      if (!isLatLng([it.lat, it.lon])) {
        return;
      }
      var cls = safeClass(it.icon);
      var m = L.circleMarker([it.lat, it.lon], {
        radius: 5, color: "#ffffff", weight: 1.5,
        fillColor: it.color || spec.color || POINT_COLOR, fillOpacity: 0.95,
        className: "dz-map-point" + (cls ? " " + cls : ""),
      });
      if (it.label) {
        m.bindTooltip(tip(it.label), { direction: "top", offset: [0, -4] });
      }
      linkTo(m, it.href);
      group.addLayer(m);
      n++;
    });
    var legend = null;
    if (spec.legend) {
      legend = swatchLegend(spec.name, legendItems(spec.legend, "dot"));
    } else if (n) {
      legend = swatchLegend(spec.name, [{ color: spec.color || POINT_COLOR, label: spec.name, shape: "dot" }], true);
    }
    return { group: group, legend: legend, count: n };
  }

  function polygonItems(spec) {
    return (spec.items || []).filter(function (it) {
      return Array.isArray(it.boundary) && it.boundary.length >= 3 && it.boundary.every(isLatLng);
    });
  }

  function buildHexes(spec) {
    var group = L.featureGroup();
    var items = polygonItems(spec);
    items.forEach(function (it) {
      var colour = it.color || spec.color || POINT_COLOR;
      var p = L.polygon(it.boundary, {
        color: colour, weight: 1, opacity: 0.9, fillColor: colour, fillOpacity: 0.45,
      });
      if (it.label || it.value !== undefined) {
        p.bindTooltip(tip(it.label, it.value, spec.unit), { sticky: true });
      }
      linkTo(p, it.href);
      group.addLayer(p);
    });
    var legend = spec.legend ? swatchLegend(spec.name, legendItems(spec.legend, "hex")) : null;
    return { group: group, legend: legend, count: items.length };
  }

  function buildHeat(spec) {
    var group = L.featureGroup();
    var items = polygonItems(spec);
    var ext = extent(items.map(function (it) { return it.value; }));
    var legend = null;
    if (ext) {
      var lo = Math.min(ext[0], 0);
      var span = ext[1] - lo || 1;
      items.forEach(function (it) {
        var v = num(it.value);
        if (v === null) {
          return;
        }
        var t = (v - lo) / span;
        var p = L.polygon(it.boundary, {
          stroke: false, fillColor: rampColor(HEAT_RAMP, t), fillOpacity: 0.45 + 0.4 * t,
        });
        p.bindTooltip(tip(it.label || spec.name, v, spec.unit), { sticky: true });
        linkTo(p, it.href);
        group.addLayer(p);
      });
      legend = gradientLegend(spec.name, HEAT_RAMP, fmt(lo, spec.unit), fmt(ext[1], spec.unit));
    }
    return { group: group, legend: legend, count: items.length };
  }

  var BUILDERS = { circles: buildCircles, points: buildPoints, hexes: buildHexes, heat: buildHeat };

  // ---- legends -----------------------------------------------------------------

  function legendItems(list, shape) {
    return (Array.isArray(list) ? list : []).map(function (x) {
      return { color: x.color, label: x.label, shape: shape };
    });
  }

  function legendSection(title) {
    var sec = el("section", "dz-legend-section");
    if (title) {
      sec.appendChild(el("h3", "dz-legend-title", title));
    }
    return sec;
  }

  function swatchLegend(title, entries, noTitle) {
    var sec = legendSection(noTitle ? null : title);
    var ul = el("ul", "dz-legend-list");
    entries.forEach(function (e) {
      var li = el("li");
      var sw = el("span", "dz-legend-swatch dz-legend-" + (e.shape || "box"));
      sw.style.backgroundColor = e.color || "#999";
      sw.setAttribute("aria-hidden", "true");
      li.appendChild(sw);
      li.appendChild(el("span", null, e.label));
      ul.appendChild(li);
    });
    sec.appendChild(ul);
    return sec;
  }

  function niceBelow(v) {
    if (v <= 0) {
      return 0;
    }
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    var m = v / p;
    return (m >= 5 ? 5 : m >= 2 ? 2 : 1) * p;
  }

  function sizeLegend(title, max, colour, radius, unit) {
    var sec = legendSection(title);
    var ul = el("ul", "dz-legend-list dz-legend-sizes");
    var values = [max];
    var mid = niceBelow(max / 4);
    if (mid > 0 && mid < max) {
      values.push(mid);
    }
    values.forEach(function (v) {
      var li = el("li");
      var sw = el("span", "dz-legend-swatch dz-legend-size");
      var d = Math.round(radius(v) * 2);
      sw.style.width = d + "px";
      sw.style.height = d + "px";
      sw.style.backgroundColor = colour;
      sw.setAttribute("aria-hidden", "true");
      li.appendChild(sw);
      li.appendChild(el("span", null, fmt(v, unit)));
      ul.appendChild(li);
    });
    sec.appendChild(ul);
    return sec;
  }

  // Stepped colour bar with the class limits underneath (scale "color").
  function stepLegend(title, cls, unit) {
    var sec = legendSection(title);
    var bar = el("div", "dz-legend-steps");
    bar.setAttribute("aria-hidden", "true");
    cls.forEach(function (c) {
      var step = el("span");
      step.style.backgroundColor = c.color;
      bar.appendChild(step);
    });
    var ticks = el("div", "dz-legend-ends");
    ticks.setAttribute("aria-hidden", "true");
    var limits = [cls[0].from].concat(cls.map(function (c) { return c.to; }));
    var whole = limits.every(function (v) { return Math.abs(v - Math.round(v)) < 1e-9; }) ||
      cls[cls.length - 1].to - cls[0].from >= 50;
    limits.forEach(function (v) {
      ticks.appendChild(el("span", null, fmt(whole ? Math.round(v) : Math.round(v * 10) / 10)));
    });
    sec.appendChild(bar);
    sec.appendChild(ticks);
    // the same classes as text for screen readers
    var list = el("ul", "visually-hidden");
    cls.forEach(function (c) {
      list.appendChild(el("li", null, rangeLabel(c, unit)));
    });
    sec.appendChild(list);
    return sec;
  }

  function gradientLegend(title, ramp, loText, hiText) {
    var sec = legendSection(title);
    var bar = el("div", "dz-legend-gradient");
    bar.style.backgroundImage = "linear-gradient(to right, " + ramp.join(", ") + ")";
    bar.setAttribute("aria-hidden", "true");
    var ends = el("div", "dz-legend-ends");
    ends.appendChild(el("span", null, loText));
    ends.appendChild(el("span", null, hiText));
    sec.appendChild(bar);
    sec.appendChild(ends);
    return sec;
  }

  // A <details> box, so it can be folded away on small maps.
  var LegendControl = L.Control.extend({
    options: { position: "bottomleft", open: true },
    onAdd: function () {
      var box = el("details", "dz-legend leaflet-bar");
      box.open = this.options.open;
      box.appendChild(el("summary", "dz-legend-summary", text("legend")));
      this._body = el("div", "dz-legend-body");
      box.appendChild(this._body);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      this._box = box;
      return box;
    },
    add: function (node) {
      this._body.appendChild(node);
    },
    refresh: function () {
      var visible = Array.prototype.some.call(this._body.children, function (c) {
        return !c.hidden;
      });
      this._box.hidden = !visible;
    },
  });

  // ---- base map ------------------------------------------------------------------

  function addOutline(map, url) {
    return loadBase(url).then(function (geo) {
      var entry = maps.get(map.getContainer());
      if (!entry || entry.map !== map) {
        return null; // map removed while the outline was loading
      }
      var shapes = L.geoJSON(geo, {
        pane: "dz-base",
        interactive: false,
        filter: function (f) {
          return f.geometry && f.geometry.type !== "Point";
        },
        style: function (f) {
          var main = f.properties && f.properties.kind === "country";
          return main
            ? { color: "#7b8794", weight: 1, fillColor: "#e4e7eb", fillOpacity: 1 }
            : { color: "#c5ccd3", weight: 0.7, fillColor: "#f3f4f6", fillOpacity: 1 };
        },
      });
      var labels = L.layerGroup();
      (geo.features || []).forEach(function (f) {
        var g = f.geometry;
        var kind = f.properties && f.properties.kind;
        if (!g || g.type !== "Point" || !f.properties.name) {
          return;
        }
        var at = [g.coordinates[1], g.coordinates[0]];
        if (kind === "archipelago") {
          var dot = L.circleMarker(at, {
            pane: "dz-base", interactive: false, radius: 3,
            color: "#52606d", weight: 1, fillColor: "#e4e7eb", fillOpacity: 1,
          });
          var left = f.properties.label_side === "left";
          dot.bindTooltip(f.properties.name, {
            permanent: true, direction: left ? "left" : "right", offset: [left ? -4 : 4, 0],
            className: "dz-map-label" + (left ? " dz-map-label--left" : ""),
          });
          labels.addLayer(dot);
        } else if (kind === "sea") {
          labels.addLayer(L.marker(at, {
            interactive: false, keyboard: false, pane: "dz-base",
            icon: L.divIcon({ className: "dz-map-sea", html: el("span", null, f.properties.name), iconSize: null }),
          }));
        }
      });
      var base = L.layerGroup([shapes, labels]).addTo(map);
      map.attributionControl.addAttribution("Natural Earth");
      return base;
    });
  }

  // ---- map construction ----------------------------------------------------------

  function sizeOf(v) {
    if (!v) {
      return "420px";
    }
    return /^\d+(\.\d+)?$/.test(v) ? v + "px" : v;
  }

  function showError(node, err) {
    var box = el("p", "dz-map-error", text("error"));
    box.setAttribute("role", "alert");
    node.appendChild(box);
    if (window.console) {
      console.error("dz-map:", err);
    }
  }

  function build(node) {
    // A node restored from htmx's history cache still holds the markup of
    // the map it had; start from an empty element.
    node.textContent = "";
    node.className = node.className.split(/\s+/).filter(function (c) {
      return c && c.indexOf("leaflet-") !== 0;
    }).join(" ");

    var tiles = node.getAttribute("data-tiles");
    var baseUrl = node.getAttribute("data-base") || DEFAULT_BASE;
    node.style.height = sizeOf(node.getAttribute("data-height"));
    node.setAttribute("role", "region");
    node.setAttribute("aria-label", node.getAttribute("data-label") || text("map"));

    var map = L.map(node, {
      zoomControl: false,
      attributionControl: true,
      minZoom: tiles ? 2 : 3,
      maxZoom: tiles ? 18 : 13,
      zoomSnap: 0.25,
      keyboard: true,
    });
    L.control.zoom({ zoomInTitle: text("zoomIn"), zoomOutTitle: text("zoomOut") }).addTo(map);
    map.attributionControl.setPrefix(false);
    map.createPane("dz-base").style.zIndex = 250;
    map.fitBounds(VIETNAM); // provisional view until data arrives

    var entry = { map: map, observer: null, fit: null, sized: node.clientWidth > 0 };
    maps.set(node, entry);
    if (window.ResizeObserver) {
      // Maps built inside a hidden container (closed <details>, inactive
      // tab) have no size; fit them again the first time they get one.
      entry.observer = new ResizeObserver(function () {
        map.invalidateSize();
        if (!entry.sized && node.clientWidth > 0) {
          entry.sized = true;
          if (entry.fit) {
            entry.fit();
          }
        }
      });
      entry.observer.observe(node);
    }

    var baseReady;
    if (tiles) {
      L.tileLayer(tiles, {
        maxZoom: 18,
        attribution: node.getAttribute("data-attribution") || "",
      }).addTo(map);
      baseReady = Promise.resolve();
    } else {
      node.classList.add("dz-map--outline");
      map.setMaxBounds([[0, 92], [30, 126]]);
      baseReady = addOutline(map, baseUrl).catch(function (e) {
        if (window.console) {
          console.warn("dz-map: base outline unavailable", e);
        }
      });
    }

    var dataReady = loadJSON(node.getAttribute("data-source")).then(function (data) {
      if (!maps.has(node)) {
        return; // removed meanwhile
      }
      entry.fit = render(map, data || {});
      entry.fit();
    });

    return Promise.all([baseReady, dataReady]).catch(function (e) {
      showError(node, e);
    });
  }

  var POSITIONS = ["topleft", "topright", "bottomleft", "bottomright"];

  function render(map, data) {
    var overlays = {};
    var node = map.getContainer();
    var where = node.getAttribute("data-legend");
    var openAttr = node.getAttribute("data-legend-open");
    var legend = new LegendControl({
      position: POSITIONS.indexOf(where) >= 0 ? where : "bottomleft",
      // folded on maps narrower than 520 px unless the page says otherwise
      open: openAttr === "true" || (openAttr !== "false" && node.clientWidth >= 520),
    });
    legend.addTo(map);
    var all = L.featureGroup();
    var total = 0;

    (Array.isArray(data.layers) ? data.layers : []).forEach(function (spec, i) {
      var make = BUILDERS[spec && spec.type];
      if (!make) {
        if (window.console) {
          console.warn("dz-map: unknown layer type", spec && spec.type);
        }
        return;
      }
      var built = make(spec);
      var name = spec.name || spec.type + " " + (i + 1);
      built.group.addTo(map);
      all.addLayer(built.group);
      total += built.count;
      // Leaflet's layer control writes names as HTML
      overlays[escapeHtml(name)] = built.group;
      if (built.legend) {
        legend.add(built.legend);
        built.group.on("add", function () {
          built.legend.hidden = false;
          legend.refresh();
        });
        built.group.on("remove", function () {
          built.legend.hidden = true;
          legend.refresh();
        });
      }
    });

    if (!total) {
      legend.add(el("p", "dz-legend-empty", text("empty")));
    }
    legend.refresh();

    if (Object.keys(overlays).length) {
      L.control.layers(null, overlays, { collapsed: node.clientWidth < 600, position: "topright" }).addTo(map);
    }

    var bounds = null;
    if (Array.isArray(data.bounds) && data.bounds.length === 2 && data.bounds.every(isLatLng)) {
      bounds = L.latLngBounds(data.bounds);
    } else if (total) {
      bounds = all.getBounds();
      // A country-wide view must show Hoàng Sa and Trường Sa too.
      if (bounds.isValid() && bounds.getNorth() - bounds.getSouth() > 6) {
        bounds.extend(L.latLngBounds(VIETNAM));
      }
    }
    return function fit() {
      if (bounds && bounds.isValid()) {
        map.fitBounds(bounds, { padding: [24, 24], maxZoom: 11, animate: false });
      } else {
        map.fitBounds(VIETNAM, { animate: false });
      }
    };
  }

  // ---- lifecycle --------------------------------------------------------------------

  function init(root) {
    root = root || document;
    var nodes = [];
    if (root.nodeType === 1 && root.matches(".dz-map")) {
      nodes.push(root);
    }
    if (root.querySelectorAll) {
      nodes.push.apply(nodes, root.querySelectorAll(".dz-map"));
    }
    nodes.forEach(function (node) {
      if (!maps.has(node) && node.isConnected) {
        build(node);
      }
    });
  }

  function destroy(node) {
    var entry = maps.get(node);
    if (!entry) {
      return;
    }
    maps.delete(node);
    if (entry.observer) {
      entry.observer.disconnect();
    }
    entry.map.remove();
  }

  function destroyWithin(root) {
    maps.forEach(function (_, node) {
      if (node === root || (root.contains && root.contains(node))) {
        destroy(node);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      init(document);
    });
  } else {
    init(document);
  }
  document.addEventListener("htmx:load", function (e) {
    init(e.detail && e.detail.elt);
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    init(e.detail && e.detail.target);
  });
  document.addEventListener("htmx:beforeCleanupElement", function (e) {
    if (e.detail && e.detail.elt) {
      destroyWithin(e.detail.elt);
    }
  });

  // The printed page has another width: resize and refit before printing.
  function refitAll() {
    maps.forEach(function (entry) {
      entry.map.invalidateSize({ pan: false });
      if (entry.fit) {
        entry.fit();
      }
    });
  }
  window.addEventListener("beforeprint", refitAll);
  if (window.matchMedia) {
    var printQuery = window.matchMedia("print");
    if (printQuery.addEventListener) {
      printQuery.addEventListener("change", function (e) {
        if (e.matches) {
          refitAll();
        }
      });
    }
  }

  window.dzMap = { init: init, destroy: destroy };
})();
