// Service desk log: nothing typed is lost on a dropped connection. What is typed is kept in the
// browser (localStorage) with the form's one-time token until the server lists that token among the
// saved entries; a page reloaded after a failed send gets the text and the token back, and sending
// it again stores the entry once (the server answers a known token with the entry already saved).
(function () {
  "use strict";
  var form = document.getElementById("desk-entry");
  if (!form || !window.localStorage) { return; }
  var KEY = "servicedesk.draft";
  var saved = (document.getElementById("desk-saved") || {}).dataset || {};
  var savedTokens = (saved.tokens || "").split(" ");
  var fields = Array.prototype.filter.call(form.elements, function (el) {
    return el.name && el.name !== "csrfmiddlewaretoken" && el.name !== "tap" && el.type !== "submit";
  });
  function read() {
    try { return JSON.parse(localStorage.getItem(KEY) || "null"); } catch (e) { return null; }
  }
  function write() {
    var draft = {};
    fields.forEach(function (el) { draft[el.name] = el.value; });
    localStorage.setItem(KEY, JSON.stringify(draft));
  }
  var draft = read();
  if (draft && savedTokens.indexOf(draft.client_token) !== -1) {
    localStorage.removeItem(KEY);  // stored: the server lists its token
  } else if (draft && form.dataset.bound !== "1") {
    fields.forEach(function (el) { if (draft[el.name] !== undefined && draft[el.name] !== "") { el.value = draft[el.name]; } });
  }
  form.addEventListener("input", write);
  form.addEventListener("change", write);
  form.addEventListener("submit", write);
})();
