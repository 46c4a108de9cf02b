/*
 * diaban chart component. Needs Chart.js 4 (window.Chart, UMD build).
 *
 *   <canvas class="dz-chart" data-source="#chart-data" aria-label="..."></canvas>
 *
 * JSON: { kind: "line"|"bar"|"stacked-bar", labels: [...],
 *         series: [{ name, values: [...], color? }], y_label?, target? }
 * See docs/assets.md. For screen readers the component writes a visually
 * hidden <table> with the same numbers right after the canvas (opt out with
 * data-table="off" when the page already shows the figures as a table).
 */
(function () {
  "use strict";

  var Chart = window.Chart;
  if (!Chart) {
    return;
  }

  var NUM = new Intl.NumberFormat("vi-VN");
  var PALETTE = ["#1d4e89", "#d9822b", "#2f8f5b", "#b8323b", "#6a4c93", "#3c7a89", "#8c6d1f", "#5f6b7a"];
  var TARGET_COLOR = "#7a1f1f";
  var TEXT = {
    vi: { target: "Mục tiêu", error: "Không tải được dữ liệu biểu đồ.", series: "Chuỗi", chart: "Biểu đồ" },
    en: { target: "Target", error: "Could not load the chart data.", series: "Series", chart: "Chart" },
  };
  function text(key) {
    var lang = (document.documentElement.lang || "vi").slice(0, 2).toLowerCase();
    return (TEXT[lang] || TEXT.vi)[key];
  }

  Chart.defaults.font.family = '"Be Vietnam Pro", system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
  Chart.defaults.font.size = 13;
  Chart.defaults.color = "#323f4b";
  Chart.defaults.borderColor = "#e4e7eb";

  var charts = new Map(); // canvas -> Chart

  function fmt(v) {
    return typeof v === "number" && isFinite(v) ? NUM.format(v) : "—";
  }

  function alpha(hex, a) {
    var m = /^#([0-9a-f]{6})$/i.exec(hex || "");
    if (!m) {
      return hex;
    }
    var n = parseInt(m[1], 16);
    return "rgba(" + ((n >> 16) & 255) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + a + ")";
  }

  function loadJSON(src) {
    if (!src) {
      return Promise.reject(new Error("data-source is empty"));
    }
    if (src.charAt(0) === "#") {
      var node = document.getElementById(src.slice(1));
      if (!node) {
        return Promise.reject(new Error("no element " + src));
      }
      try {
        return Promise.resolve(JSON.parse(node.textContent));
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

  // Dashed horizontal line at options.plugins.dzTarget.value.
  var targetLine = {
    id: "dzTarget",
    afterDatasetsDraw: function (chart, _args, opts) {
      if (typeof opts.value !== "number") {
        return;
      }
      var y = chart.scales.y.getPixelForValue(opts.value);
      var area = chart.chartArea;
      if (y < area.top || y > area.bottom) {
        return;
      }
      var ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = TARGET_COLOR;
      ctx.lineWidth = 2;
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(area.left, y);
      ctx.lineTo(area.right, y);
      ctx.stroke();
      ctx.setLineDash([]);
      // label at the left end, on a light plate so data lines stay legible
      var label = opts.label + ": " + fmt(opts.value);
      ctx.font = "600 12px " + Chart.defaults.font.family;
      ctx.textAlign = "left";
      ctx.textBaseline = "bottom";
      var w = ctx.measureText(label).width;
      var top = y - 18 < area.top ? y + 2 : y - 18;
      ctx.fillStyle = "rgba(255,255,255,0.85)";
      ctx.fillRect(area.left + 4, top, w + 8, 16);
      ctx.fillStyle = TARGET_COLOR;
      ctx.fillText(label, area.left + 8, top + 15);
      ctx.restore();
    },
  };

  function config(data) {
    var kind = data.kind === "bar" || data.kind === "stacked-bar" ? data.kind : "line";
    var isLine = kind === "line";
    var stacked = kind === "stacked-bar";
    var series = Array.isArray(data.series) ? data.series : [];
    var target = typeof data.target === "number" && isFinite(data.target) ? data.target : null;

    var datasets = series.map(function (s, i) {
      var colour = s.color || PALETTE[i % PALETTE.length];
      var values = (s.values || []).map(function (v) {
        return typeof v === "number" && isFinite(v) ? v : null;
      });
      return isLine
        ? {
            label: s.name, data: values, borderColor: colour, backgroundColor: alpha(colour, 0.15),
            borderWidth: 2, pointRadius: 3, pointHoverRadius: 5, tension: 0.2, spanGaps: true,
          }
        : {
            label: s.name, data: values, backgroundColor: colour, borderColor: colour,
            borderWidth: 0, maxBarThickness: 48,
          };
    });

    var yScale = {
      beginAtZero: true,
      stacked: stacked,
      ticks: { callback: function (v) { return fmt(v); } },
      title: { display: !!data.y_label, text: data.y_label || "" },
    };
    if (target !== null) {
      yScale.suggestedMax = target;
    }

    return {
      type: isLine ? "line" : "bar",
      data: { labels: Array.isArray(data.labels) ? data.labels : [], datasets: datasets },
      options: {
        locale: "vi-VN",
        responsive: true,
        maintainAspectRatio: true,
        animation: window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : { duration: 300 },
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { stacked: stacked, grid: { display: isLine } },
          y: yScale,
        },
        plugins: {
          legend: {
            display: datasets.length > 1,
            position: "bottom",
            labels: { boxWidth: 14, usePointStyle: isLine },
          },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                return (ctx.dataset.label ? ctx.dataset.label + ": " : "") + fmt(ctx.parsed.y);
              },
              footer: stacked && datasets.length > 1 ? function (items) {
                var sum = items.reduce(function (a, it) { return a + (it.parsed.y || 0); }, 0);
                return "Σ " + fmt(sum);
              } : undefined,
            },
          },
          dzTarget: { value: target, label: text("target") },
        },
      },
      plugins: [targetLine],
    };
  }

  // Visually hidden data table with the same figures, for screen readers.
  function table(canvas, data) {
    var t = document.createElement("table");
    t.className = "visually-hidden dz-chart-table";
    t.setAttribute("data-dz-chart-table", "");
    var cap = document.createElement("caption");
    cap.textContent = canvas.getAttribute("aria-label") || text("chart");
    t.appendChild(cap);
    var head = t.createTHead().insertRow();
    var th0 = document.createElement("th");
    th0.scope = "col";
    th0.textContent = data.x_label || "";
    head.appendChild(th0);
    var series = Array.isArray(data.series) ? data.series : [];
    series.forEach(function (s, i) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = s.name || text("series") + " " + (i + 1);
      head.appendChild(th);
    });
    var body = t.createTBody();
    (data.labels || []).forEach(function (label, r) {
      var row = body.insertRow();
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = label;
      row.appendChild(th);
      series.forEach(function (s) {
        row.insertCell().textContent = fmt((s.values || [])[r]);
      });
    });
    if (typeof data.target === "number") {
      var foot = t.createTFoot().insertRow();
      var fth = document.createElement("th");
      fth.scope = "row";
      fth.textContent = text("target");
      foot.appendChild(fth);
      var cell = foot.insertCell();
      cell.colSpan = Math.max(series.length, 1);
      cell.textContent = fmt(data.target);
    }
    return t;
  }

  function build(canvas) {
    // drop a table left by an earlier build (htmx history restore)
    var next = canvas.nextElementSibling;
    if (next && next.hasAttribute("data-dz-chart-table")) {
      next.remove();
    }
    if (!canvas.hasAttribute("role")) {
      canvas.setAttribute("role", "img");
    }
    charts.set(canvas, null);
    var aspect = parseFloat(canvas.getAttribute("data-aspect"));
    loadJSON(canvas.getAttribute("data-source")).then(function (data) {
      if (!charts.has(canvas)) {
        return;
      }
      data = data || {};
      var cfg = config(data);
      var width = canvas.parentElement ? canvas.parentElement.clientWidth : 600;
      cfg.options.aspectRatio = aspect > 0 ? aspect : width < 480 ? 1.3 : 2.2;
      charts.set(canvas, new Chart(canvas, cfg));
      if (canvas.getAttribute("data-table") !== "off") {
        canvas.insertAdjacentElement("afterend", table(canvas, data));
      }
    }).catch(function (e) {
      var p = document.createElement("p");
      p.className = "dz-chart-error";
      p.setAttribute("role", "alert");
      p.textContent = text("error");
      canvas.insertAdjacentElement("afterend", p);
      if (window.console) {
        console.error("dz-chart:", e);
      }
    });
  }

  function init(root) {
    root = root || document;
    var nodes = [];
    if (root.nodeType === 1 && root.matches("canvas.dz-chart")) {
      nodes.push(root);
    }
    if (root.querySelectorAll) {
      nodes.push.apply(nodes, root.querySelectorAll("canvas.dz-chart"));
    }
    nodes.forEach(function (c) {
      if (!charts.has(c) && c.isConnected) {
        build(c);
      }
    });
  }

  function destroy(canvas) {
    if (!charts.has(canvas)) {
      return;
    }
    var chart = charts.get(canvas);
    charts.delete(canvas);
    if (chart) {
      chart.destroy();
    }
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
    var root = e.detail && e.detail.elt;
    if (!root) {
      return;
    }
    charts.forEach(function (_, c) {
      if (c === root || (root.contains && root.contains(c))) {
        destroy(c);
      }
    });
  });

  // Charts keep their screen size when printed unless told to resize.
  function resizeAll() {
    charts.forEach(function (chart) {
      if (chart) {
        chart.resize();
      }
    });
  }
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
  if (window.matchMedia) {
    var printQuery = window.matchMedia("print");
    if (printQuery.addEventListener) {
      printQuery.addEventListener("change", resizeAll);
    }
  }

  window.dzCharts = { init: init, destroy: destroy };
})();
