/*
 * diaban page behaviour, no dependencies (htmx optional). Load with `defer`.
 *  - data-confirm="message" on a form, button, link or input: ask before acting
 *  - .nav-toggle button: opens/closes the side navigation on narrow screens
 *  - X-CSRF-Token header on every htmx request, from <meta name="csrf-token">
 *  - select[data-autosubmit]: submit its form on change (language switch)
 *  - .flash [data-dismiss]: remove the flash message
 */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.add("js");

  // ---- confirmation before destructive actions ------------------------------
  // Runs in the capture phase on document, so a refusal stops the event
  // before htmx or any other handler on the element sees it.
  function refuse(e) {
    e.preventDefault();
    e.stopPropagation();
    e.stopImmediatePropagation();
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    var msg = form && form.getAttribute && form.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) {
      refuse(e);
    }
  }, true);

  document.addEventListener("click", function (e) {
    var t = e.target && e.target.closest ? e.target.closest("[data-confirm]") : null;
    if (!t || t.tagName === "FORM") {
      return; // forms are asked on submit
    }
    if (t.disabled) {
      return;
    }
    if (!window.confirm(t.getAttribute("data-confirm"))) {
      refuse(e);
    }
  }, true);

  // ---- navigation toggle ------------------------------------------------------
  function navParts() {
    var btn = document.querySelector(".nav-toggle");
    var nav = btn && document.getElementById(btn.getAttribute("aria-controls"));
    return btn && nav ? { btn: btn, nav: nav } : null;
  }

  function setNav(open) {
    var p = navParts();
    if (!p) {
      return;
    }
    p.btn.setAttribute("aria-expanded", open ? "true" : "false");
    root.classList.toggle("nav-open", open);
  }

  document.addEventListener("click", function (e) {
    var p = navParts();
    if (!p) {
      return;
    }
    if (p.btn.contains(e.target)) {
      setNav(p.btn.getAttribute("aria-expanded") !== "true");
    } else if (root.classList.contains("nav-open") && e.target.closest && e.target.closest("a") &&
               p.nav.contains(e.target)) {
      setNav(false);
    }
  });

  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && root.classList.contains("nav-open")) {
      setNav(false);
      var p = navParts();
      if (p) {
        p.btn.focus();
      }
    }
  });

  // ---- htmx CSRF header ---------------------------------------------------------
  document.addEventListener("htmx:configRequest", function (e) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    var token = meta && meta.getAttribute("content");
    if (token && e.detail && e.detail.headers) {
      e.detail.headers["X-CSRF-Token"] = token;
    }
  });

  // ---- small conveniences ---------------------------------------------------------
  document.addEventListener("change", function (e) {
    var s = e.target;
    if (s && s.matches && s.matches("select[data-autosubmit]") && s.form) {
      if (s.form.requestSubmit) {
        s.form.requestSubmit();
      } else {
        s.form.submit();
      }
    }
  });

  document.addEventListener("click", function (e) {
    var b = e.target && e.target.closest ? e.target.closest(".flash [data-dismiss]") : null;
    if (b) {
      var flash = b.closest(".flash");
      if (flash) {
        flash.remove();
      }
    }
  });
})();

/*
 * input[type=file][data-fill="#id"]: read the chosen text file into the textarea #id,
 * so a CSV can be imported through an ordinary form (no multipart upload needed).
 */
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    var input = e.target;
    if (!input || !input.getAttribute || !input.getAttribute("data-fill") || !input.files || !input.files[0]) {
      return;
    }
    var target = document.querySelector(input.getAttribute("data-fill"));
    if (!target) {
      return;
    }
    var reader = new FileReader();
    reader.onload = function () { target.value = String(reader.result || ""); };
    reader.readAsText(input.files[0], "utf-8");
  });
})();
