// Ducha: small progressive enhancements. No inline scripts anywhere (CSP: script-src 'self').
(function () {
  "use strict";
  // Send the CSRF token with every htmx request.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
  });
  // A form submits once: the second tap of a double tap does nothing.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitted === "1" && !form.hasAttribute("hx-get")) { event.preventDefault(); return; }
    form.dataset.submitted = "1";
    window.setTimeout(function () { form.dataset.submitted = ""; }, 5000);
  }, true);
  // A list narrowed by another field (data-narrow-by="<id>"): only the options whose
  // data-department is the chosen department, plus any already chosen; all when none is chosen.
  document.querySelectorAll("select[data-narrow-by]").forEach(function (select) {
    var source = document.getElementById(select.dataset.narrowBy);
    if (!source) { return; }
    var all = Array.prototype.slice.call(select.options);
    function narrow() {
      var chosen = source.value;
      var keep = all.filter(function (o) { return !chosen || o.dataset.department === chosen || o.selected; });
      while (select.firstChild) { select.removeChild(select.firstChild); }
      keep.forEach(function (o) { select.appendChild(o); });
    }
    source.addEventListener("change", narrow);
    narrow();
  });
  // The service worker (/sw.js, docs/security.md → "Offline pages") keeps the pages a view marks for
  // this session only: each page tells it which session is current ("" on the log-in page and at
  // log-out), and it drops every other session's pages.
  if ("serviceWorker" in navigator) {
    var body = document.body;
    var announce = function (registration) {
      var worker = registration && (registration.active || registration.waiting || registration.installing);
      if (worker) { worker.postMessage({ type: "session", key: body.dataset.session || "" }); }
    };
    if (body.dataset.sw) {
      navigator.serviceWorker.register(body.dataset.sw, { scope: "/" }).then(announce, function () {});
    } else {
      navigator.serviceWorker.getRegistration("/").then(announce, function () {});
    }
    document.addEventListener("submit", function (event) {
      if (!event.target.hasAttribute("data-logout")) { return; }
      body.dataset.session = "";
      navigator.serviceWorker.getRegistration("/").then(announce, function () {});
    }, true);
  }
})();
