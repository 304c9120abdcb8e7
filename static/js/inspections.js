// Inspections: the tablet checklist. Each answer is autosaved by htmx as it is typed; while
// the request is under way (or if it fails: no signal in a basement ward) the answer is kept
// in localStorage and sent again when the connection is back or the page is reopened.
(function () {
  "use strict";
  var checklist = document.getElementById("checklist");
  if (!checklist) { return; }
  var roundId = checklist.dataset.round;
  var prefix = "ducha:inspections:" + roundId + ":";
  var store = null;
  try { store = window.localStorage; store.setItem(prefix + "probe", "1"); store.removeItem(prefix + "probe"); }
  catch (e) { store = null; }

  function isAnswerForm(el) { return el && el.classList && el.classList.contains("answer-form"); }

  function formValues(form) {
    var values = {};
    new FormData(form).forEach(function (value, key) {
      if (key !== "csrfmiddlewaretoken") { values[key] = value; }
    });
    if (!("result" in values)) { values.result = ""; }
    return values;
  }

  function keep(form) {
    if (!store) { return; }
    store.setItem(prefix + form.dataset.item, JSON.stringify({ values: formValues(form), at: Date.now() }));
  }

  function forget(form) { if (store) { store.removeItem(prefix + form.dataset.item); } }

  function status(form, text, cls) {
    var el = form.querySelector(".save-state");
    if (el) { el.textContent = text; el.className = "small mt-1 save-state " + (cls || ""); }
  }

  function restore(form, values) {
    Object.keys(values).forEach(function (name) {
      var fields = form.querySelectorAll("[name='" + name + "']");
      fields.forEach(function (field) {
        if (field.type === "radio") { field.checked = field.value === values[name]; }
        else { field.value = values[name]; }
      });
    });
  }

  function card(form) { return form.closest(".item-card"); }

  function paint(form) {
    var checked = form.querySelector("input[name=result]:checked");
    var c = card(form);
    if (!c) { return; }
    c.classList.toggle("item-fail", !!checked && checked.value === "fail");
    c.classList.toggle("item-pass", !!checked && checked.value === "pass");
  }

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!isAnswerForm(form)) { return; }
    keep(form);
    status(form, checklist.dataset.saving, "text-muted");
  });

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    var code = event.detail.xhr.status;
    // Refusals (bad number, round already submitted) are shown, not retried.
    if ((isAnswerForm(form) || (form && form.classList && form.classList.contains("photo-form"))) && code >= 400 && code < 500) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
      if (isAnswerForm(form)) { forget(form); }
    }
  });

  document.body.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!isAnswerForm(form)) { return; }
    var code = event.detail.xhr ? event.detail.xhr.status : 0;
    if (event.detail.successful) { forget(form); paint(form); }
    else if (code === 0 || code >= 500) { status(form, checklist.dataset.offline, "text-warning fw-semibold"); }
  });

  function resend() {
    if (!store || (navigator.onLine === false)) { return; }
    document.querySelectorAll(".answer-form").forEach(function (form) {
      var raw = store.getItem(prefix + form.dataset.item);
      if (!raw) { return; }
      try { restore(form, JSON.parse(raw).values); } catch (e) { forget(form); return; }
      paint(form);
      if (window.htmx) { window.htmx.trigger(form, "change"); }
    });
  }

  window.addEventListener("online", resend);
  document.addEventListener("DOMContentLoaded", resend);
  if (document.readyState !== "loading") { window.setTimeout(resend, 0); }
  document.body.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest(".answer-form");
    if (form) { paint(form); }
  });
})();
