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
  // A day typed year-month-day (supervision.forms.DateInputYMD) also gets a calendar: a button beside
  // the text opens the browser's own date picker (on a hidden <input type="date">, whose text would be
  // in the browser's locale order) and writes the chosen day back as YYYY-MM-DD. Typing still works;
  // a browser without showPicker() keeps the text alone. A month typed year-month
  // (supervision.forms.MonthInputYM, data-calendar-kind="month") gets the browser's month picker the
  // same way, written back as YYYY-MM; a browser without one (Firefox) keeps the text alone.
  function addCalendar(text) {
    if (text.dataset.calendarReady || !text.dataset.calendar) { return; }
    var month = text.dataset.calendarKind === "month";
    var picker = document.createElement("input");
    picker.type = month ? "month" : "date";
    if (picker.type !== (month ? "month" : "date") || typeof picker.showPicker !== "function") { return; }
    text.dataset.calendarReady = "1";
    picker.className = "date-ymd-picker";
    picker.tabIndex = -1;
    picker.setAttribute("aria-hidden", "true");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-secondary date-ymd-calendar";
    button.setAttribute("aria-label", text.dataset.calendar);
    button.title = text.dataset.calendar;
    var icon = document.createElement("i");
    icon.className = "bi bi-calendar3";  // the label above is what a screen reader reads out
    icon.setAttribute("aria-hidden", "true");
    button.appendChild(icon);
    var group = document.createElement("span");
    // Bootstrap shows a field's error only after an invalid input's sibling: say it on the group.
    group.className = "input-group date-ymd-group" + (text.classList.contains("is-invalid") ? " is-invalid" : "");
    text.parentNode.insertBefore(group, text);
    group.appendChild(text);
    group.appendChild(button);
    group.appendChild(picker);
    if (text.disabled || text.readOnly) { button.disabled = true; }
    button.addEventListener("click", function () {
      var typed = text.value.trim().replace(/[\/.]/g, "-").match(/^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$/);
      if (typed && month !== (typed[3] === undefined)) { typed = null; }
      picker.value = typed ? typed[1] + "-" + ("0" + typed[2]).slice(-2) + (month ? "" : "-" + ("0" + typed[3]).slice(-2)) : "";
      try { picker.showPicker(); } catch (e) { text.focus(); }
    });
    picker.addEventListener("change", function () {
      if (!picker.value) { return; }
      text.value = picker.value;  // always YYYY-MM-DD (YYYY-MM), whatever the browser's locale
      text.dispatchEvent(new Event("input", { bubbles: true }));
      text.dispatchEvent(new Event("change", { bubbles: true }));
      text.focus();
    });
  }
  // A list's filter refused while htmx swapped the table alone (templates/_filter_refused.html names
  // the fields in data-refused): those fields are marked in the form, which stays as typed; the
  // others are unmarked, and an error drawn with the page under a field since corrected goes.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var form = target && target.id && document.querySelector("form[hx-target='#" + target.id + "']");
    if (!form) { return; }
    // An outerHTML swap (the call list's table) replaced the target: read the element now in its place.
    var refused = (document.getElementById(target.id) || target).querySelector(".filter-refused");
    var names = refused ? (refused.dataset.refused || "").split(" ") : [];
    form.querySelectorAll("input[name], select[name]").forEach(function (field) {
      var invalid = names.indexOf(field.name) !== -1;
      field.classList.toggle("is-invalid", invalid);
      var group = field.closest(".date-ymd-group");
      if (group) { group.classList.toggle("is-invalid", invalid); }
      var box = field.closest("div[id^='div_']");
      if (box && !invalid) { box.querySelectorAll(".invalid-feedback").forEach(function (f) { f.remove(); }); }
    });
  });
  function addCalendars(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("input[data-calendar]").forEach(addCalendar);
  }
  addCalendars(document);
  document.addEventListener("htmx:load", function (event) { addCalendars(event.target); });
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
